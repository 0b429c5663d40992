import { Server, type ServerInterceptor } from '@grpc/grpc-js';
import { loadFileDescriptorSetFromBuffer, loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import {
  CatalogServiceService,
  ConfigServiceService,
  DeadLetterServiceService,
  descriptorSetBase64,
  grpcServerCredentials,
  type GrpcServerTls,
  DestinationServiceService,
  EventTraceServiceService,
  OAuthServiceService,
  ReplayServiceService,
  ReverseEtlServiceService,
  SourceServiceService,
  TrackingPlanServiceService,
  WorkspaceServiceService,
} from '@manifold/proto';
import { deadLetterService, eventTraceService, replayService } from './operations-services';
import { trackingPlanService } from './tracking-plan-service';
import type { HandlerDeps } from './call-handler';
import {
  catalogService,
  configService,
  destinationService,
  oauthService,
  reverseEtlService,
  sourceService,
  workspaceService,
  type Domain,
} from './services';

const SERVICE_NAMES = [
  'manifold.controlplane.v1.WorkspaceService',
  'manifold.controlplane.v1.SourceService',
  'manifold.controlplane.v1.DestinationService',
  'manifold.controlplane.v1.CatalogService',
  'manifold.controlplane.v1.ConfigService',
  'manifold.controlplane.v1.DeadLetterService',
  'manifold.controlplane.v1.ReplayService',
  'manifold.controlplane.v1.EventTraceService',
  'manifold.controlplane.v1.OAuthService',
  'manifold.controlplane.v1.ReverseEtlService',
  'manifold.controlplane.v1.TrackingPlanService',
];

export interface GrpcServer {
  port: number;
  health: HealthImplementation;
  /** What grpc.health.v1 answers for the server and every service (NOT_SERVING while MongoDB is down). */
  setServing(serving: boolean): void;
  stop(): Promise<void>;
}

/** The control plane's gRPC server, with grpc.health.v1 and server reflection for grpcurl. */
export async function startGrpcServer(
  domain: Domain,
  deps: HandlerDeps,
  host: string,
  port: number,
  /** Run around every call (metrics). */
  interceptors: ServerInterceptor[] = [],
  /** TLS, mutual when it names a client CA; plaintext without. */
  tls?: GrpcServerTls,
): Promise<GrpcServer> {
  const server = new Server({
    interceptors,
    // Watchers hold streams for hours: ping them so dead peers are noticed and released.
    'grpc.keepalive_time_ms': 30000,
    'grpc.keepalive_timeout_ms': 10000,
    'grpc.keepalive_permit_without_calls': 1,
  });
  server.addService(WorkspaceServiceService, workspaceService(domain, deps));
  server.addService(SourceServiceService, sourceService(domain, deps));
  server.addService(DestinationServiceService, destinationService(domain, deps));
  server.addService(CatalogServiceService, catalogService(domain, deps));
  server.addService(ConfigServiceService, configService(domain, deps));
  server.addService(DeadLetterServiceService, deadLetterService(domain.operations, deps));
  server.addService(ReplayServiceService, replayService(domain.operations, deps));
  server.addService(EventTraceServiceService, eventTraceService(domain.operations, deps));
  server.addService(OAuthServiceService, oauthService(domain, deps));
  server.addService(ReverseEtlServiceService, reverseEtlService(domain, deps));
  server.addService(
    TrackingPlanServiceService,
    trackingPlanService(domain.trackingPlans, domain.planInsights, domain.operations, deps),
  );

  const health = new HealthImplementation(
    Object.fromEntries([['', 'SERVING'], ...SERVICE_NAMES.map((name) => [name, 'SERVING'])]),
  );
  health.addToServer(server);
  // Reflection describes our API and the health service, so `grpcurl ... grpc.health.v1.Health/Check` works.
  const descriptors = {
    ...loadFileDescriptorSetFromBuffer(Buffer.from(descriptorSetBase64, 'base64')),
    ...loadSync(require.resolve('grpc-health-check/proto/health/v1/health.proto')),
  };
  new ReflectionService(descriptors).addToServer(server);

  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, grpcServerCredentials(tls), (error, p) => (error ? reject(error) : resolve(p))),
  );
  const setServing = (serving: boolean): void => {
    for (const name of ['', ...SERVICE_NAMES]) health.setStatus(name, serving ? 'SERVING' : 'NOT_SERVING');
  };
  return {
    port: bound,
    health,
    setServing,
    stop: () =>
      new Promise<void>((resolve) => {
        setServing(false);
        // Let unary calls finish; config streams are long-lived, so force them after a moment.
        const force = setTimeout(() => server.forceShutdown(), 3000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
