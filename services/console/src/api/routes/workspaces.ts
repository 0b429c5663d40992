import { z } from 'zod';
import { normalizeEmail } from '../../store/accounts';
import { HttpError } from '../../server/http-error';
import { roleOf, ROLES } from '../access';
import { Empty, Workspace } from '../models';
import { presentWorkspace } from '../present';
import { defineRoute } from '../route';

export const workspaceParams = z.object({ workspace: z.string().describe('Workspace slug or id') });
export const slugSchema = z
  .string()
  .min(2)
  .max(63)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'use lowercase letters, digits and single hyphens');

export const workspaceRoutes = [
  defineRoute({
    method: 'get',
    path: '/workspaces',
    operationId: 'listWorkspaces',
    summary: 'Workspaces the caller is a member of',
    tag: 'Workspaces',
    access: 'user',
    response: z.object({ workspaces: z.array(Workspace) }),
    async handler({ controlPlane, email }) {
      const { workspaces } = await controlPlane.workspaces.listWorkspaces(
        { memberEmail: email, page: { pageSize: 500, pageToken: '', sort: [], filters: [] } },
        { actor: email },
      );
      return {
        workspaces: workspaces.flatMap((w) => {
          const role = roleOf(w, email);
          return role ? [presentWorkspace(w, role)] : [];
        }),
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/workspaces',
    operationId: 'createWorkspace',
    summary: 'Create a workspace owned by the caller',
    tag: 'Workspaces',
    access: 'user',
    status: 201,
    body: z.object({ slug: slugSchema, name: z.string().min(1).max(100) }),
    response: Workspace,
    async handler({ controlPlane, email, body }) {
      const created = await controlPlane.workspaces.createWorkspace(
        { slug: body.slug, name: body.name, ownerEmail: email, members: [{ email, role: 'owner' }] },
        { actor: email },
      );
      return presentWorkspace(created, 'owner');
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace',
    operationId: 'getWorkspace',
    summary: 'A workspace with its members',
    tag: 'Workspaces',
    access: 'read',
    params: workspaceParams,
    response: Workspace,
    async handler({ workspace, role }) {
      return presentWorkspace(workspace!, role!);
    },
  }),
  defineRoute({
    method: 'put',
    path: '/workspaces/:workspace/members/:email',
    operationId: 'setMemberRole',
    summary: "Change a member's role (owners only); new members join by invitation",
    tag: 'Workspaces',
    access: 'owner',
    params: workspaceParams.extend({ email: z.email() }),
    // Strict: passwords are chosen only by their owners, so one sent here is refused, not ignored.
    body: z.strictObject(
      { role: z.enum(ROLES) },
      { error: () => 'only role can be set here: new members are invited, and choose their own password' },
    ),
    response: Workspace,
    async handler({ controlPlane, email, workspace, params, body }) {
      const memberEmail = normalizeEmail(params.email);
      const members = workspace!.members.filter((m) => normalizeEmail(m.email) !== memberEmail);
      if (members.length === workspace!.members.length) {
        throw new HttpError(404, 'not_found', `${memberEmail} is not a member: invite them instead`);
      }
      members.push({ email: memberEmail, role: body.role });
      ensureAnOwner(members);
      const updated = await controlPlane.workspaces.updateWorkspace(
        { workspace: workspace!.id, updateMembers: true, members },
        { actor: email },
      );
      return presentWorkspace(updated, roleOf(updated, email) ?? 'read-only');
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/workspaces/:workspace/members/:email',
    operationId: 'removeMember',
    summary: 'Remove a member (owners only)',
    tag: 'Workspaces',
    access: 'owner',
    params: workspaceParams.extend({ email: z.email() }),
    response: Empty,
    async handler({ controlPlane, email, workspace, params }) {
      const memberEmail = normalizeEmail(params.email);
      const members = workspace!.members.filter((m) => normalizeEmail(m.email) !== memberEmail);
      // As every other delete of something that is not there (a mistyped address said nothing).
      if (members.length === workspace!.members.length) {
        throw new HttpError(404, 'not_found', `${memberEmail} is not a member of this workspace`);
      }
      ensureAnOwner(members);
      await controlPlane.workspaces.updateWorkspace(
        { workspace: workspace!.id, updateMembers: true, members },
        { actor: email },
      );
      return {};
    },
  }),
];

function ensureAnOwner(members: Array<{ role: string }>): void {
  if (!members.some((m) => m.role === 'owner')) {
    throw new HttpError(400, 'invalid_argument', 'a workspace needs at least one owner', [
      { field: 'role', message: 'keep at least one owner' },
    ]);
  }
}
