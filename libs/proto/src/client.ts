import {
  credentials,
  Metadata,
  type CallOptions,
  type ChannelCredentials,
  type Client,
  type ClientUnaryCall,
  type ServiceError,
} from '@grpc/grpc-js';
import { CatalogServiceClient } from './gen/manifold/controlplane/v1/catalog';
import { ConfigServiceClient } from './gen/manifold/controlplane/v1/config_stream';
import { DestinationServiceClient } from './gen/manifold/controlplane/v1/destinations';
import { SourceServiceClient } from './gen/manifold/controlplane/v1/sources';
import { WorkspaceServiceClient } from './gen/manifold/controlplane/v1/workspaces';

type UnaryCallback<Res> = (error: ServiceError | null, response: Res) => void;

/** A grpc-js client's unary methods as promise-returning functions of (request, options?). */
export type Promisified<C> = {
  [K in keyof C as C[K] extends (
    request: never,
    metadata: Metadata,
    options: Partial<CallOptions>,
    callback: UnaryCallback<never>,
  ) => ClientUnaryCall
    ? K
    : never]: C[K] extends (
    request: infer Req,
    metadata: Metadata,
    options: Partial<CallOptions>,
    callback: UnaryCallback<infer Res>,
  ) => ClientUnaryCall
    ? (request: Req, options?: { deadlineMs?: number; actor?: string }) => Promise<Res>
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
}

export interface ControlPlaneClients {
  workspaces: Promisified<WorkspaceServiceClient>;
  sources: Promisified<SourceServiceClient>;
  destinations: Promisified<DestinationServiceClient>;
  catalog: Promisified<CatalogServiceClient>;
  /** The streaming config client, used raw (see libs/config-client). */
  config: ConfigServiceClient;
  metadata(actor?: string): Metadata;
  close(): void;
}

/** Clients for every control-plane service over one channel each, with the token attached. */
export function connectControlPlane(options: ConnectControlPlaneOptions): ControlPlaneClients {
  const creds = options.credentials ?? credentials.createInsecure();
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
    config: new ConfigServiceClient(options.address, creds),
  };
  return {
    workspaces: promisify(raw.workspaces, metadata),
    sources: promisify(raw.sources, metadata),
    destinations: promisify(raw.destinations, metadata),
    catalog: promisify(raw.catalog, metadata),
    config: raw.config,
    metadata,
    close: () => Object.values(raw).forEach((c: Client) => c.close()),
  };
}

function promisify<C extends Client>(client: C, metadata: (actor?: string) => Metadata): Promisified<C> {
  return new Proxy({} as Promisified<C>, {
    get(_target, name) {
      const method = (client as unknown as Record<string | symbol, unknown>)[name];
      if (typeof method !== 'function') return undefined;
      return (request: unknown, options: { deadlineMs?: number; actor?: string } = {}) =>
        new Promise((resolve, reject) => {
          const callOptions: Partial<CallOptions> = {
            deadline: Date.now() + (options.deadlineMs ?? 15000),
          };
          (method as (...args: unknown[]) => unknown).call(
            client,
            request,
            metadata(options.actor),
            callOptions,
            (error: ServiceError | null, response: unknown) => (error ? reject(error) : resolve(response)),
          );
        });
    },
  });
}
