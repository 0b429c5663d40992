import { Metadata, type CallOptions, type ChannelCredentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { CatalogServiceClient, CatalogServiceDefinition } from './gen/manifold/controlplane/v1/catalog';
import type { DeepPartial, MessageFns } from './gen/manifold/controlplane/v1/common';
import { ConfigServiceClient } from './gen/manifold/controlplane/v1/config_stream';
import { DeadLetterServiceClient, DeadLetterServiceDefinition } from './gen/manifold/controlplane/v1/dead_letters';
import { DestinationServiceClient, DestinationServiceDefinition } from './gen/manifold/controlplane/v1/destinations';
import { EventTraceServiceClient, EventTraceServiceDefinition } from './gen/manifold/controlplane/v1/event_trace';
import { OAuthServiceClient, OAuthServiceDefinition } from './gen/manifold/controlplane/v1/oauth';
import { ReplayServiceClient, ReplayServiceDefinition } from './gen/manifold/controlplane/v1/replay';
import { ReverseEtlServiceClient, ReverseEtlServiceDefinition } from './gen/manifold/controlplane/v1/reverse_etl';
import {
  TrackingPlanServiceClient,
  TrackingPlanServiceDefinition,
} from './gen/manifold/controlplane/v1/tracking_plans';
import { SourceServiceClient, SourceServiceDefinition } from './gen/manifold/controlplane/v1/sources';
import { WorkspaceServiceClient, WorkspaceServiceDefinition } from './gen/manifold/controlplane/v1/workspaces';
import { controlPlaneCredentials, type ControlPlaneTls } from './tls';

type CallOverrides = { deadlineMs?: number; actor?: string };

interface MethodDefinition {
  requestType: unknown;
  responseStream: boolean;
}

/**
 * A service's unary methods as `(request, options?) => Promise<response>`. Requests are partial:
 * fields left out take their proto3 defaults (the request type's fromPartial fills them).
 */
export type PromiseClient<D extends { methods: Record<string, MethodDefinition> }> = {
  [K in keyof D['methods'] as D['methods'][K]['responseStream'] extends false ? K : never]: D['methods'][K] extends {
    requestType: MessageFns<infer Req>;
    responseType: MessageFns<infer Res>;
  }
    ? (request: DeepPartial<Req>, options?: CallOverrides) => Promise<Res>
    : never;
};

export interface ConnectControlPlaneOptions {
  /** host:port of the control plane. */
  address: string;
  /** The service token, sent as `authorization: Bearer <token>`. */
  token: string;
  /** Who acts, recorded as created_by / changed_by (a user's email or a service name). */
  actor?: string;
  credentials?: ChannelCredentials;
  /** TLS to the control plane (CONTROL_PLANE_TLS_*), when `credentials` is not given; plaintext without. */
  tls?: ControlPlaneTls | undefined;
}

export interface ControlPlaneClients {
  workspaces: PromiseClient<typeof WorkspaceServiceDefinition>;
  sources: PromiseClient<typeof SourceServiceDefinition>;
  destinations: PromiseClient<typeof DestinationServiceDefinition>;
  catalog: PromiseClient<typeof CatalogServiceDefinition>;
  deadLetters: PromiseClient<typeof DeadLetterServiceDefinition>;
  replays: PromiseClient<typeof ReplayServiceDefinition>;
  traces: PromiseClient<typeof EventTraceServiceDefinition>;
  oauth: PromiseClient<typeof OAuthServiceDefinition>;
  reverseEtl: PromiseClient<typeof ReverseEtlServiceDefinition>;
  trackingPlans: PromiseClient<typeof TrackingPlanServiceDefinition>;
  /** The streaming config client, used raw (see libs/config-client). */
  config: ConfigServiceClient;
  metadata(actor?: string): Metadata;
  close(): void;
}

/** Clients for every control-plane service over one channel each, with the token attached. */
export function connectControlPlane(options: ConnectControlPlaneOptions): ControlPlaneClients {
  const creds = options.credentials ?? controlPlaneCredentials(options.tls);
  const metadata = (actor?: string): Metadata => {
    const m = new Metadata();
    m.set('authorization', `Bearer ${options.token}`);
    const who = actor ?? options.actor;
    if (who) m.set('x-manifold-actor', who);
    return m;
  };
  const raw = {
    workspaces: new WorkspaceServiceClient(options.address, creds),
    sources: new SourceServiceClient(options.address, creds),
    destinations: new DestinationServiceClient(options.address, creds),
    catalog: new CatalogServiceClient(options.address, creds),
    deadLetters: new DeadLetterServiceClient(options.address, creds),
    replays: new ReplayServiceClient(options.address, creds),
    traces: new EventTraceServiceClient(options.address, creds),
    oauth: new OAuthServiceClient(options.address, creds),
    reverseEtl: new ReverseEtlServiceClient(options.address, creds),
    trackingPlans: new TrackingPlanServiceClient(options.address, creds),
    config: new ConfigServiceClient(options.address, creds),
  };
  return {
    workspaces: promisify(raw.workspaces, WorkspaceServiceDefinition, metadata),
    sources: promisify(raw.sources, SourceServiceDefinition, metadata),
    destinations: promisify(raw.destinations, DestinationServiceDefinition, metadata),
    catalog: promisify(raw.catalog, CatalogServiceDefinition, metadata),
    deadLetters: promisify(raw.deadLetters, DeadLetterServiceDefinition, metadata),
    replays: promisify(raw.replays, ReplayServiceDefinition, metadata),
    traces: promisify(raw.traces, EventTraceServiceDefinition, metadata),
    oauth: promisify(raw.oauth, OAuthServiceDefinition, metadata),
    reverseEtl: promisify(raw.reverseEtl, ReverseEtlServiceDefinition, metadata),
    trackingPlans: promisify(raw.trackingPlans, TrackingPlanServiceDefinition, metadata),
    config: raw.config,
    metadata,
    close: () => Object.values(raw).forEach((c: Client) => c.close()),
  };
}

function promisify<D extends { methods: Record<string, MethodDefinition> }>(
  client: Client,
  definition: D,
  metadata: (actor?: string) => Metadata,
): PromiseClient<D> {
  const out: Record<string, (request: unknown, options?: CallOverrides) => Promise<unknown>> = {};
  for (const [name, method] of Object.entries(definition.methods)) {
    if (method.responseStream) continue;
    const call = (client as unknown as Record<string, (...args: unknown[]) => unknown>)[name];
    if (typeof call !== 'function') continue;
    const requestType = method.requestType as unknown as { fromPartial(o: unknown): unknown };
    out[name] = (request, options = {}) =>
      new Promise((resolve, reject) => {
        const callOptions: Partial<CallOptions> = { deadline: Date.now() + (options.deadlineMs ?? 15000) };
        call.call(
          client,
          requestType.fromPartial(request ?? {}),
          metadata(options.actor),
          callOptions,
          (error: ServiceError | null, response: unknown) => (error ? reject(error) : resolve(response)),
        );
      });
  }
  return out as PromiseClient<D>;
}
