import { isDuplicateKeyError } from '@manifold/mongo';
import { digest, randomSecret } from '../auth/tokens';
import type { ConsoleCollections, InvitationDocument } from './collections';
import { normalizeEmail } from './accounts';

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** Expired and accepted invitations stay readable this long (a second click is told what happened), then go. */
const KEEP_AFTER_EXPIRY_MS = 30 * 24 * 60 * 60 * 1000;

export type Invitation = Omit<InvitationDocument, 'tokenHash'>;

export type InvitationLookup =
  | { state: 'pending'; invitation: Invitation }
  | { state: 'accepted' | 'expired'; invitation: Invitation }
  | { state: 'unknown' };

function withoutHash({ tokenHash: _hash, ...invitation }: InvitationDocument): Invitation {
  return invitation;
}

/**
 * Invitations to join a workspace. The link's token is returned once, at creation, and stored
 * only as its hash; a link works once (claimed atomically) and until it expires.
 */
export class InvitationStore {
  constructor(
    private readonly collections: ConsoleCollections,
    private readonly ttlMs: number = INVITATION_TTL_MS,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A new invitation; an earlier unused one of the same email to the same workspace stops working. */
  async create(input: {
    workspaceId: string;
    email: string;
    role: string;
    invitedBy: string;
  }): Promise<{ token: string; invitation: Invitation }> {
    const createdAt = this.now();
    const email = normalizeEmail(input.email);
    const token = randomSecret();
    const document: InvitationDocument = {
      id: randomSecret(9),
      tokenHash: digest(token),
      workspaceId: input.workspaceId,
      email,
      role: input.role,
      invitedBy: normalizeEmail(input.invitedBy),
      createdAt,
      expiresAt: new Date(createdAt.getTime() + this.ttlMs),
      acceptedAt: null,
    };
    await this.collections.invitations.deleteMany({ workspaceId: input.workspaceId, email, acceptedAt: null });
    // No TTL index on FerretDB: old invitations (and claims) are swept when new ones are made.
    const old = new Date(createdAt.getTime() - KEEP_AFTER_EXPIRY_MS);
    await this.collections.invitations.deleteMany({ expiresAt: { $lt: old } });
    await this.collections.invitationClaims.deleteMany({ at: { $lt: old } });
    await this.collections.invitations.insertOne(document);
    return { token, invitation: withoutHash(document) };
  }

  /** The workspace's invitations not used yet (expired ones included, so owners see them), oldest first. */
  async listUnused(workspaceId: string): Promise<Invitation[]> {
    const found = await this.collections.invitations
      .find({ workspaceId, acceptedAt: null }, { sort: { createdAt: 1 } })
      .toArray();
    return found.map(withoutHash);
  }

  /** True when an unused invitation of this workspace existed and is now gone. */
  async revoke(workspaceId: string, id: string): Promise<boolean> {
    const result = await this.collections.invitations.deleteOne({ workspaceId, id, acceptedAt: null });
    return result.deletedCount === 1;
  }

  async lookup(token: string): Promise<InvitationLookup> {
    const found = await this.collections.invitations.findOne({ tokenHash: digest(token) });
    if (!found) return { state: 'unknown' };
    const invitation = withoutHash(found);
    if (found.acceptedAt) return { state: 'accepted', invitation };
    if (found.expiresAt.getTime() <= this.now().getTime()) return { state: 'expired', invitation };
    return { state: 'pending', invitation };
  }

  /** Marks a pending invitation used; undefined when another request used it first (or it expired). */
  async claim(token: string): Promise<Invitation | undefined> {
    const found = await this.lookup(token);
    if (found.state !== 'pending') return undefined;
    const acceptedAt = this.now();
    try {
      await this.collections.invitationClaims.insertOne({ _id: found.invitation.id, at: acceptedAt });
    } catch (error) {
      if (isDuplicateKeyError(error)) return undefined;
      throw error;
    }
    await this.collections.invitations.updateOne({ id: found.invitation.id }, { $set: { acceptedAt } });
    return { ...found.invitation, acceptedAt };
  }

  /** Gives a claimed invitation back when accepting it failed half-way, so the link can be tried again. */
  async release(id: string): Promise<void> {
    await this.collections.invitations.updateOne({ id }, { $set: { acceptedAt: null } });
    await this.collections.invitationClaims.deleteOne({ _id: id });
  }

  /** Deletes an invitation that can no longer be honoured (e.g. its inviter is no longer an owner). */
  async discard(id: string): Promise<void> {
    await this.collections.invitations.deleteOne({ id });
  }
}
