import { z } from 'zod';
import { inviteMember } from '../../invitations/invite';
import { DEFAULT_INVITATION_LIMITS as limits } from '../../invitations/invitation-limits';
import { notFound } from '../../server/http-error';
import { ROLES } from '../access';
import { CreatedInvitation, Empty, Invitation } from '../models';
import { presentInvitation } from '../present';
import { defineRoute } from '../route';
import { workspaceParams } from './workspaces';

const INVITATIONS_PATH = '/workspaces/:workspace/invitations';

export const invitationRoutes = [
  defineRoute({
    method: 'post',
    path: INVITATIONS_PATH,
    operationId: 'inviteMember',
    summary:
      'Invite someone (owners only). They join through a single-use link that expires in 7 days, choosing their ' +
      'own password or signing in to their account. The link is mailed when the console has SMTP, else returned here once.',
    rateLimited:
      `Too many invitations mailed lately: per workspace (${limits.perWorkspace} an hour), per inviter ` +
      `(${limits.perInviter} an hour) or to this address (one in ${limits.perAddressMs / 60_000} minutes)`,
    tag: 'Workspaces',
    access: 'owner',
    status: 201,
    params: workspaceParams,
    body: z.object({ email: z.email(), role: z.enum(ROLES).default('member') }),
    response: CreatedInvitation,
    async handler({ stores, mailer, logger, email, workspace, body, origin }) {
      const created = await inviteMember(
        { stores, mailer, logger },
        { workspace: workspace!, invitedBy: email, email: body.email, role: body.role, origin },
      );
      return { ...presentInvitation(created.invitation), mailed: created.mailed, link: created.link };
    },
  }),
  defineRoute({
    method: 'get',
    path: INVITATIONS_PATH,
    operationId: 'listInvitations',
    summary: 'Invitations not used yet, expired ones included (owners only); never their links',
    tag: 'Workspaces',
    access: 'owner',
    params: workspaceParams,
    response: z.object({ invitations: z.array(Invitation) }),
    async handler({ stores, workspace }) {
      const now = new Date();
      return {
        invitations: (await stores.invitations.listUnused(workspace!.id)).map((i) => presentInvitation(i, now)),
      };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/workspaces/:workspace/invitations/:id',
    operationId: 'revokeInvitation',
    summary: 'Revoke an invitation: its link stops working (owners only)',
    tag: 'Workspaces',
    access: 'owner',
    params: workspaceParams.extend({ id: z.string() }),
    response: Empty,
    async handler({ stores, workspace, params }) {
      if (!(await stores.invitations.revoke(workspace!.id, params.id))) throw notFound('invitation');
      return {};
    },
  }),
];
