import type { Logger } from '@manifold/logger';
import type { Workspace } from '@manifold/proto';
import type { Role } from '../api/access';
import { invitationMail } from '../mail/messages';
import type { Mailer } from '@manifold/mail';
import { HttpError } from '../server/http-error';
import type { ConsoleStores } from '../server/stores';
import { normalizeEmail } from '../store/accounts';
import type { Invitation } from '../store/invitations';
import { invitationLimiter } from './invitation-limits';

export interface CreatedInvitation {
  invitation: Invitation;
  mailed: boolean;
  /** Only without SMTP: the link for the inviter to hand over, never shown again. */
  link: string | null;
}

/** Where an invitation's token is read: in the fragment, so it never reaches a server's or proxy's logs. */
export function invitationLink(origin: string, token: string): string {
  return `${origin}/invite#${token}`;
}

/**
 * Invites someone to a workspace. Nobody is added and no account is made here: the invitee does
 * both through the link, choosing their own password (or signing in to an existing account).
 */
export async function inviteMember(
  deps: { stores: ConsoleStores; mailer: Mailer | undefined; logger: Logger },
  input: { workspace: Workspace; invitedBy: string; email: string; role: Role; origin: string },
): Promise<CreatedInvitation> {
  const email = normalizeEmail(input.email);
  const isMember = input.workspace.members.some((m) => normalizeEmail(m.email) === email);
  // A member listed without an account (e.g. an owner named by the CLI) still needs a link to sign up.
  if (isMember && (await deps.stores.accounts.exists(email))) {
    throw new HttpError(409, 'already_exists', `${email} is a member already: change their role instead`, [
      { field: 'email', message: 'is a member already' },
    ]);
  }
  // With SMTP, each invitation is an email to an address the inviter chose: limited (invitation-limits.ts).
  const limits = deps.mailer ? invitationLimiter(deps.mailer) : undefined;
  const counted = { workspaceId: input.workspace.id, inviter: input.invitedBy, email };
  limits?.take(counted);
  let created: { token: string; invitation: Invitation };
  try {
    created = await deps.stores.invitations.create({
      workspaceId: input.workspace.id,
      email,
      role: input.role,
      invitedBy: input.invitedBy,
    });
  } catch (error) {
    limits?.unsent(counted);
    throw error;
  }
  const { token, invitation } = created;
  const link = invitationLink(input.origin, token);
  if (!deps.mailer) return { invitation, mailed: false, link };
  try {
    await deps.mailer.send(
      invitationMail({
        to: email,
        invitedBy: invitation.invitedBy,
        workspaceName: input.workspace.name,
        role: input.role,
        link,
        expiresAt: invitation.expiresAt,
      }),
    );
  } catch (error) {
    limits?.unsent(counted);
    await deps.stores.invitations.discard(invitation.id);
    deps.logger.warn({ err: error, invitation: invitation.id }, 'invitation mail not sent');
    throw new HttpError(
      503,
      'unavailable',
      'the invitation email could not be sent (SMTP); nothing was saved, try again',
    );
  }
  return { invitation, mailed: true, link: null };
}
