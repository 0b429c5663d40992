import { status, type ServiceError } from '@grpc/grpc-js';
import type {
  ControlPlaneClients,
  Destination,
  ReverseEtlConnection,
  ReverseEtlModel,
  Source,
  TrackingPlan,
  Workspace,
} from '@manifold/proto';

/** What the control plane holds for the workspace a file describes. */
export interface WorkspaceState {
  workspace: Workspace | undefined;
  sources: Source[];
  destinations: Destination[];
  /** Reverse ETL models, each with its connections. */
  models: Array<{ model: ReverseEtlModel; connections: ReverseEtlConnection[] }>;
  /** The latest version of each tracking plan. */
  trackingPlans: TrackingPlan[];
}

export const emptyState = (): WorkspaceState => ({
  workspace: undefined,
  sources: [],
  destinations: [],
  models: [],
  trackingPlans: [],
});

const isNotFound = (e: unknown) => (e as Partial<ServiceError>).code === status.NOT_FOUND;

export async function readWorkspaceState(c: ControlPlaneClients, slug: string): Promise<WorkspaceState> {
  let workspace: Workspace | undefined;
  try {
    workspace = await c.workspaces.getWorkspace({ workspace: slug });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    return emptyState();
  }
  const [{ sources }, { destinations }, { models }, { plans }] = await Promise.all([
    c.sources.listSources({ workspace: slug, page: { pageSize: 500 } }),
    c.destinations.listDestinations({ workspace: slug, page: { pageSize: 500 } }),
    c.reverseEtl.listModels({ workspace: slug }),
    c.trackingPlans.listTrackingPlans({ workspaceId: slug }),
  ]);
  const withConnections = await Promise.all(
    models.map(async (model) => ({
      model,
      connections: (await c.reverseEtl.listConnections({ workspace: slug, model: model.id })).connections,
    })),
  );
  return { workspace, sources, destinations, models: withConnections, trackingPlans: plans };
}
