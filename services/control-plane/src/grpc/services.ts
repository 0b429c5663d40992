import type { handleServerStreamingCall, ServerWritableStream } from '@grpc/grpc-js';
import type {
  CatalogServiceServer,
  ConfigServiceServer,
  ConfigUpdate,
  DestinationServiceServer,
  OAuthServiceServer,
  ReverseEtlServiceServer,
  SourceServiceServer,
  WatchConfigRequest,
  WorkspaceServiceServer,
} from '@manifold/proto';
import type { ConfigBroadcaster } from '../config-stream/broadcaster';
import type { CatalogQueries } from '../domain/catalog-service';
import type { Destinations } from '../domain/destinations';
import type { DestinationMappings } from '../domain/mappings';
import type { DestinationTester } from '../domain/destination-test';
import { resolveSource } from '../domain/sources';
import type { Sources } from '../domain/sources';
import type { Workspaces } from '../domain/workspaces';
import { previewWebhookMapping } from '../domain/webhook-settings';
import { resolveWorkspace } from '../domain/workspaces';
import type { Observability } from '../domain/observability';
import type { OAuthConnections } from '../oauth/oauth-connections';
import type { Operations } from '../operations/start-operations';
import type { ReverseEtlModels } from '../domain/reverse-etl';
import type { Store } from '../store/store';
import type { TrackingPlans } from '../domain/tracking-plans';
import type { PlanInsights } from '../domain/plan-insights';
import { authenticate, toServiceError, unary, type HandlerDeps } from './call-handler';

export interface Domain {
  store: Store;
  workspaces: Workspaces;
  sources: Sources;
  destinations: Destinations;
  mappings: DestinationMappings;
  /** The mapping tester (TestDestination). */
  tester: DestinationTester;
  catalog: CatalogQueries;
  observability: Observability;
  broadcaster: ConfigBroadcaster;
  /** OAuth connections of destination instances: the console's connect flow, translators' access tokens. */
  oauth: OAuthConnections;
  /** Reverse ETL models, connections and runs. */
  reverseEtl: ReverseEtlModels;
  /** Tracking plans: schemas per event, checked at ingestion. */
  trackingPlans: TrackingPlans;
  /** Tracking-plan violations and starting plans, from what ingestion reports. */
  planInsights: PlanInsights;
  /** Dead letters, replays and traces: present when the control plane reads the data plane's Kafka. */
  operations?: Operations;
}

export function workspaceService(d: Domain, deps: HandlerDeps): WorkspaceServiceServer {
  return {
    createWorkspace: unary('CreateWorkspace', deps, (req, ctx) => d.workspaces.create(req, ctx)),
    getWorkspace: unary('GetWorkspace', deps, (req) => d.workspaces.get(req.workspace)),
    listWorkspaces: unary('ListWorkspaces', deps, (req) => d.workspaces.list(req)),
    updateWorkspace: unary('UpdateWorkspace', deps, (req) => d.workspaces.update(req)),
    deleteWorkspace: unary('DeleteWorkspace', deps, async (req) => {
      await d.trackingPlans.ensureNoneIn(req.workspace);
      await d.workspaces.delete(req.workspace);
      return {};
    }),
    setAutoDisableException: unary('SetAutoDisableException', deps, async (req) => {
      const workspace = await resolveWorkspace(d.store, req.workspace);
      const source = await resolveSource(d.store, workspace, req.source);
      return d.workspaces.setAutoDisableException(req, source._id);
    }),
  };
}

export function sourceService(d: Domain, deps: HandlerDeps): SourceServiceServer {
  return {
    createSource: unary('CreateSource', deps, (req, ctx) => d.sources.create(req, ctx)),
    getSource: unary('GetSource', deps, (req, ctx) => d.sources.get(req.workspace, req.source, ctx.now)),
    listSources: unary('ListSources', deps, (req, ctx) => d.sources.list(req, ctx.now)),
    updateSource: unary('UpdateSource', deps, (req, ctx) => d.sources.update(req, ctx)),
    deleteSource: unary('DeleteSource', deps, async (req, ctx) => {
      // Off its tracking plan first (a new version of the plan), while the source still exists.
      const source = await d.sources.get(req.workspace, req.source, ctx.now);
      await d.trackingPlans.releaseSource(source.id, ctx);
      await d.sources.delete(req.workspace, req.source);
      return {};
    }),
    rotateWriteKey: unary('RotateWriteKey', deps, (req, ctx) => d.sources.rotateWriteKey(req, ctx)),
    previewWebhookMapping: unary('PreviewWebhookMapping', deps, async (req) => {
      await resolveWorkspace(d.store, req.workspace);
      return previewWebhookMapping(req);
    }),
  };
}

export function destinationService(d: Domain, deps: HandlerDeps): DestinationServiceServer {
  return {
    createDestination: unary('CreateDestination', deps, (req, ctx) => d.destinations.create(req, ctx)),
    getDestination: unary('GetDestination', deps, (req) => d.destinations.get(req.workspace, req.destination)),
    listDestinations: unary('ListDestinations', deps, (req) => d.destinations.list(req)),
    updateDestination: unary('UpdateDestination', deps, (req, ctx) => d.destinations.update(req, ctx)),
    deleteDestination: unary('DeleteDestination', deps, async (req, ctx) => {
      await d.destinations.delete(req.workspace, req.destination, ctx.now);
      return {};
    }),
    connectSource: unary('ConnectSource', deps, (req, ctx) => d.destinations.connect(req, true, ctx)),
    disconnectSource: unary('DisconnectSource', deps, (req, ctx) => d.destinations.connect(req, false, ctx)),
    setDestinationFilters: unary('SetDestinationFilters', deps, (req) => d.destinations.setFilters(req)),
    setDestinationMappings: unary('SetDestinationMappings', deps, (req, ctx) => d.mappings.set(req, ctx)),
    resetDestinationMappings: unary('ResetDestinationMappings', deps, (req, ctx) => d.mappings.reset(req, ctx)),
    listDestinationMappingVersions: unary('ListDestinationMappingVersions', deps, (req) => d.mappings.versions(req)),
    testDestination: unary('TestDestination', deps, (req, ctx) => d.tester.test(req, ctx)),
    rollbackDestinationMappings: unary('RollbackDestinationMappings', deps, (req, ctx) =>
      d.mappings.rollback(req, ctx),
    ),
    getDeliveryStats: unary('GetDeliveryStats', deps, (req, ctx) => d.observability.deliveryStats(req, ctx.now)),
    listWarehouseLoads: unary('ListWarehouseLoads', deps, (req) => d.observability.warehouseLoads(req)),
    getDeliveryView: unary('GetDeliveryView', deps, (req, ctx) => d.observability.deliveryView(req, ctx.now)),
    listDeliveryErrors: unary('ListDeliveryErrors', deps, (req) => d.observability.deliveryErrors(req)),
    listWarehouseStatus: unary('ListWarehouseStatus', deps, (req) => d.observability.warehouseStatus(req)),
    syncWarehouse: unary('SyncWarehouse', deps, (req, ctx) => d.observability.syncWarehouse(req, ctx.now)),
  };
}

export function oauthService(d: Domain, deps: HandlerDeps): OAuthServiceServer {
  return {
    startOAuthConnection: unary('StartOAuthConnection', deps, (req, ctx) => d.oauth.start(req, ctx)),
    completeOAuthConnection: unary('CompleteOAuthConnection', deps, (req, ctx) => d.oauth.complete(req, ctx)),
    disconnectOAuth: unary('DisconnectOAuth', deps, (req) => d.oauth.disconnect(req)),
    getOAuthAccessToken: unary('GetOAuthAccessToken', deps, (req) => d.oauth.accessToken(req)),
  };
}

export function reverseEtlService(d: Domain, deps: HandlerDeps): ReverseEtlServiceServer {
  return {
    createModel: unary('CreateModel', deps, (req, ctx) => d.reverseEtl.create(req, ctx)),
    getModel: unary('GetModel', deps, (req) => d.reverseEtl.get(req)),
    listModels: unary('ListModels', deps, (req) => d.reverseEtl.list(req)),
    updateModel: unary('UpdateModel', deps, (req, ctx) => d.reverseEtl.update(req, ctx)),
    runModelNow: unary('RunModelNow', deps, (req, ctx) => d.reverseEtl.runNow(req, ctx)),
    resetModel: unary('ResetModel', deps, (req, ctx) => d.reverseEtl.reset(req, ctx)),
    createConnection: unary('CreateConnection', deps, (req, ctx) => d.reverseEtl.createConnection(req, ctx)),
    suggestConnectionFields: unary('SuggestConnectionFields', deps, (req) => d.reverseEtl.suggestConnectionFields(req)),
    listConnections: unary('ListConnections', deps, (req) => d.reverseEtl.listConnections(req)),
    updateConnection: unary('UpdateConnection', deps, (req, ctx) => d.reverseEtl.updateConnection(req, ctx)),
    deleteConnection: unary('DeleteConnection', deps, (req, ctx) => d.reverseEtl.deleteConnection(req, ctx)),
    deleteModel: unary('DeleteModel', deps, (req, ctx) => d.reverseEtl.deleteModel(req, ctx)),
    previewModel: unary('PreviewModel', deps, (req) => d.reverseEtl.preview(req)),
    listRuns: unary('ListRuns', deps, (req) => d.reverseEtl.listRuns(req)),
  };
}

export function catalogService(d: Domain, deps: HandlerDeps): CatalogServiceServer {
  return {
    listCatalog: unary('ListCatalog', deps, (req) => d.catalog.list(req)),
    getCatalogEntry: unary('GetCatalogEntry', deps, (req) => d.catalog.get(req.id)),
    createIntegrationRequest: unary('CreateIntegrationRequest', deps, (req, ctx) =>
      d.catalog.requestIntegration(req, ctx),
    ),
    listIntegrationRequests: unary('ListIntegrationRequests', deps, (req) => d.catalog.listRequests(req)),
  };
}

/** A snapshot first, then a delta per change, until the client goes away. */
export function configService(d: Domain, deps: HandlerDeps): ConfigServiceServer {
  const watchConfig: handleServerStreamingCall<WatchConfigRequest, ConfigUpdate> = (
    call: ServerWritableStream<WatchConfigRequest, ConfigUpdate>,
  ) => {
    try {
      authenticate(call.metadata, deps);
    } catch (error) {
      call.emit('error', toServiceError(error, deps.logger, 'WatchConfig'));
      return;
    }
    const log = deps.logger.child({ watcher: call.request.client || 'unnamed', peer: call.getPeer() });
    let unsubscribe: (() => void) | undefined;
    let gone = false;
    const close = (): void => {
      if (gone) return;
      gone = true;
      unsubscribe?.();
      log.info('config watcher gone');
    };
    call.on('cancelled', close);
    call.on('close', close);
    // Catch up with writes made through other replicas first, so the first snapshot is fresh;
    // subscribing and sending it happen in one tick, so no delta falls between them.
    const start = (): void => {
      if (gone) return;
      unsubscribe = d.broadcaster.subscribe((update) => call.write(update));
      call.write({ update: { $case: 'snapshot', value: d.broadcaster.current() } });
      log.info('config watcher connected');
    };
    d.broadcaster.refresh().then(start, (error: unknown) => {
      log.warn({ err: error }, 'could not refresh the configuration; sending the last snapshot');
      start();
    });
  };
  return { watchConfig };
}
