import type { Workspace } from '@manifold/proto';
import { roleOf } from '../api/access';
import type { ControlPlane } from '../control-plane/clients';
import { toHttpError } from '../control-plane/grpc-errors';
import { HttpError } from '../server/http-error';
import type { ConsoleStores } from '../server/stores';
import { AccountExistsError, normalizeEmail } from '../store/accounts';
import type { Invitation } from '../store/invitations';

interface Deps {
  stores: ConsoleStores;
  controlPlane: ControlPlane;
}

export interface ValidInvitation {
  invitation: Invitation;
  workspace: Workspace;
  accountExists: boolean;
}

const invalid = () =>
  new HttpError(
    404,
    'not_found',
    'this invitation link is not valid: it was revoked, replaced by a newer one, or mistyped',
  );

/** A usable invitation for this token, or the error that says why it is not. */
export async function findInvitation(deps: Deps, token: string): Promise<ValidInvitation> {
  const found = await deps.stores.invitations.lookup(token);
  if (found.state === 'unknown') throw invalid();
  if (found.state === 'accepted') {
    throw new HttpError(409, 'already_exists', 'this invitation was accepted already: sign in instead');
  }
  if (found.state === 'expired') {
    throw new HttpError(
      410,
      'expired',
      `this invitation expired on ${found.invitation.expiresAt.toISOString()}: ask ${found.invitation.invitedBy} for a new one`,
    );
  }
  const { invitation } = found;
  let workspace: Workspace;
  try {
    workspace = await deps.controlPlane.workspaces.getWorkspace(
      { workspace: invitation.workspaceId },
      { actor: invitation.email },
    );
  } catch (error) {
    const mapped = toHttpError(error);
    if (!(mapped instanceof HttpError && mapped.status === 404)) throw mapped;
    await deps.stores.invitations.discard(invitation.id);
    throw invalid();
  }
  // An invitation speaks for its inviter: it ends when they are no longer an owner.
  if (roleOf(workspace, invitation.invitedBy) !== 'owner') {
    await deps.stores.invitations.discard(invitation.id);
    throw invalid();
  }
  return { invitation, workspace, accountExists: await deps.stores.accounts.exists(invitation.email) };
}

/**
 * Who accepts: someone without an account, choosing their password now; or the signed-in owner of
 * the invited email's existing account. Nobody else ever sets a password for an existing account.
 */
export type Acceptor = { kind: 'new-account'; password: string } | { kind: 'signed-in'; email: string };

/** Uses the invitation (once): makes the account when asked, then adds the member with the invited role. */
export async function acceptInvitation(deps: Deps, token: string, acceptor: Acceptor): Promise<ValidInvitation> {
  const found = await findInvitation(deps, token);
  const { invitation } = found;
  if (acceptor.kind === 'new-account' && found.accountExists) {
    throw new HttpError(409, 'already_exists', `an account for ${invitation.email} exists: sign in to accept`);
  }
  if (acceptor.kind === 'signed-in' && normalizeEmail(acceptor.email) !== invitation.email) {
    throw new HttpError(
      403,
      'forbidden',
      `this invitation is for ${invitation.email}; you are signed in as ${acceptor.email}`,
    );
  }
  const claimed = await deps.stores.invitations.claim(token);
  if (!claimed) throw new HttpError(409, 'already_exists', 'this invitation was accepted already: sign in instead');
  try {
    if (acceptor.kind === 'new-account') await deps.stores.accounts.create(invitation.email, acceptor.password);
    const workspace = await deps.controlPlane.workspaces.getWorkspace(
      { workspace: invitation.workspaceId },
      { actor: invitation.email },
    );
    const members = workspace.members.filter((m) => normalizeEmail(m.email) !== invitation.email);
    members.push({ email: invitation.email, role: invitation.role });
    const updated = await deps.controlPlane.workspaces.updateWorkspace(
      { workspace: workspace.id, updateMembers: true, members },
      { actor: invitation.email },
    );
    return { invitation: claimed, workspace: updated, accountExists: true };
  } catch (error) {
    await deps.stores.invitations.release(claimed.id);
    if (error instanceof AccountExistsError) {
      throw new HttpError(409, 'already_exists', `an account for ${invitation.email} exists: sign in to accept`);
    }
    throw error;
  }
}
