import type { Workspace } from '@manifold/proto';
import type { ControlPlane } from '../control-plane/clients';
import { toHttpError } from '../control-plane/grpc-errors';
import { HttpError, notFound } from '../server/http-error';
import type { Access } from './route';

export const ROLES = ['owner', 'member', 'read-only'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { 'read-only': 1, member: 2, owner: 3 };
const REQUIRED: Record<Exclude<Access, 'user'>, Role> = { read: 'read-only', write: 'member', owner: 'owner' };

export function roleOf(workspace: Workspace, email: string): Role | undefined {
  const lower = email.toLowerCase();
  const member = workspace.members.find((m) => m.email.toLowerCase() === lower);
  if (member && (ROLES as readonly string[]).includes(member.role)) return member.role as Role;
  return workspace.ownerEmail.toLowerCase() === lower ? 'owner' : undefined;
}

export function allows(role: Role, access: Exclude<Access, 'user'>): boolean {
  return RANK[role] >= RANK[REQUIRED[access]];
}

/**
 * The workspace named by a URL and the user's role in it. A user outside the workspace gets the
 * same 404 as for a workspace that does not exist, so workspace names do not leak.
 */
export async function authorizeWorkspace(
  controlPlane: ControlPlane,
  workspaceSlug: string,
  email: string,
  access: Exclude<Access, 'user'>,
): Promise<{ workspace: Workspace; role: Role }> {
  let workspace: Workspace;
  try {
    workspace = await controlPlane.workspaces.getWorkspace({ workspace: workspaceSlug }, { actor: email });
  } catch (error) {
    const mapped = toHttpError(error);
    if (mapped instanceof HttpError && mapped.status === 404) throw notFound('workspace');
    throw mapped;
  }
  const role = roleOf(workspace, email);
  if (!role) throw notFound('workspace');
  if (!allows(role, access)) {
    throw new HttpError(
      403,
      'forbidden',
      role === 'read-only' ? 'read-only members cannot make changes' : 'only owners of the workspace can do this',
    );
  }
  return { workspace, role };
}
