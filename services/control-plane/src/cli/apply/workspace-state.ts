import { status, type ServiceError } from '@grpc/grpc-js';
import type { ControlPlaneClients, Destination, Source, Workspace } from '@manifold/proto';

/** What the control plane holds for the workspace a file describes. */
export interface WorkspaceState {
  workspace: Workspace | undefined;
  sources: Source[];
  destinations: Destination[];
}

const isNotFound = (e: unknown) => (e as Partial<ServiceError>).code === status.NOT_FOUND;

export async function readWorkspaceState(c: ControlPlaneClients, slug: string): Promise<WorkspaceState> {
  let workspace: Workspace | undefined;
  try {
    workspace = await c.workspaces.getWorkspace({ workspace: slug });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    return { workspace: undefined, sources: [], destinations: [] };
  }
  const [{ sources }, { destinations }] = await Promise.all([
    c.sources.listSources({ workspace: slug, page: { pageSize: 500 } }),
    c.destinations.listDestinations({ workspace: slug, page: { pageSize: 500 } }),
  ]);
  return { workspace, sources, destinations };
}
