import type { CallOptions, ClientUnaryCall, Metadata, ServiceError } from '@grpc/grpc-js';
import {
  connectControlPlane,
  type ControlPlaneTls,
  type CatalogServiceClient,
  type DeadLetterServiceClient,
  type DestinationServiceClient,
  type EventTraceServiceClient,
  type OAuthServiceClient,
  type ReplayServiceClient,
  type ReverseEtlServiceClient,
  type SourceServiceClient,
  type TrackingPlanServiceClient,
  type WorkspaceServiceClient,
} from '@manifold/proto';

type PromiseMethod<F> = F extends (
  request: infer Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: infer Res) => void,
) => ClientUnaryCall
  ? (request: Req, options?: { deadlineMs?: number; actor?: string }) => Promise<Res>
  : never;

/**
 * The unary methods of a generated client as promises. (`Promisified` in @manifold/proto filters
 * every method out under strictFunctionTypes, so the console types the same runtime objects here.)
 */
export type PromiseClient<C> = {
  [K in keyof C as [PromiseMethod<C[K]>] extends [never] ? never : K]: PromiseMethod<C[K]>;
};

export interface ControlPlane {
  workspaces: PromiseClient<WorkspaceServiceClient>;
  sources: PromiseClient<SourceServiceClient>;
  destinations: PromiseClient<DestinationServiceClient>;
  catalog: PromiseClient<CatalogServiceClient>;
  deadLetters: PromiseClient<DeadLetterServiceClient>;
  replays: PromiseClient<ReplayServiceClient>;
  traces: PromiseClient<EventTraceServiceClient>;
  oauth: PromiseClient<OAuthServiceClient>;
  reverseEtl: PromiseClient<ReverseEtlServiceClient>;
  trackingPlans: PromiseClient<TrackingPlanServiceClient>;
  close(): void;
}

/** The control plane's clients, authenticated with the console's service token; each call names its actor. */
export function connectConsoleControlPlane(address: string, token: string, tls?: ControlPlaneTls): ControlPlane {
  return connectControlPlane({ address, token, actor: 'console', tls }) as unknown as ControlPlane;
}
