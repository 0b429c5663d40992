import { Metadata, status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import type { Logger } from '@manifold/logger';
import { ConfigServiceClient, controlPlaneCredentials, type ConfigUpdate, type ControlPlaneTls } from '@manifold/proto';
import { ConfigCache, configCacheBox } from './config-cache';
import type { ConfigView } from './config-view';
import { applyDelta, snapshotFromProto } from './from-proto';
import { InMemoryConfigView } from './in-memory-config-view';

export interface ConnectConfigStreamOptions {
  /** host:port of the control plane. */
  address: string;
  token: string;
  /** TLS to the control plane (CONTROL_PLANE_TLS_*): the stream carries decrypted credentials. Plaintext without. */
  tls?: ControlPlaneTls | undefined;
  logger: Logger;
  /** Names this client in the control plane's logs. */
  client?: string;
  /**
   * Where to keep the last snapshot on disk, so a restart while the control plane is down
   * still has a configuration. It holds every credential, so it is sealed (AES-256-GCM) with
   * `cacheKey`, or a key derived from `token`, and written with mode 0600 (see ConfigCache).
   */
  cacheFile?: string;
  /** 32 bytes, base64 (CONFIG_CACHE_KEY): seals the cache; a key derived from `token` when absent. */
  cacheKey?: string;
  /** How long to wait for the first snapshot (from the stream or the cache) before failing. */
  firstSnapshotTimeoutMs?: number;
}

export interface ConfigStreamClient extends ConfigView {
  /** True while the stream to the control plane is open. */
  readonly connected: boolean;
  close(): Promise<void>;
}

const MAX_BACKOFF_MS = 10_000;

class StreamingConfigView extends InMemoryConfigView implements ConfigStreamClient {
  connected = false;
  private closed = false;
  private call: ClientReadableStream<ConfigUpdate> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private readonly grpc: ConfigServiceClient;
  private readonly cache: ConfigCache | undefined;
  private resolveFirst: (() => void) | undefined;
  readonly firstSnapshot: Promise<void>;

  constructor(private readonly options: ConnectConfigStreamOptions) {
    super();
    this.grpc = new ConfigServiceClient(options.address, controlPlaneCredentials(options.tls), {
      'grpc.keepalive_time_ms': 30000,
      'grpc.keepalive_timeout_ms': 10000,
      'grpc.keepalive_permit_without_calls': 1,
    });
    this.firstSnapshot = new Promise((resolve) => (this.resolveFirst = resolve));
    this.cache = options.cacheFile
      ? new ConfigCache(options.cacheFile, configCacheBox(options), options.logger)
      : undefined;
  }

  async loadCache(): Promise<void> {
    // No usable cache (none, another key, damaged): wait for the control plane.
    const cached = await this.cache?.read();
    if (cached && this.version === 0) {
      this.replace(cached);
      this.options.logger.info(
        { version: cached.version },
        'serving cached configuration until the control plane answers',
      );
      this.resolveFirst?.();
    }
  }

  open(): void {
    if (this.closed) return;
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${this.options.token}`);
    const call = this.grpc.watchConfig({ client: this.options.client ?? 'data-plane' }, metadata);
    this.call = call;
    call.on('data', (update: ConfigUpdate) => this.onUpdate(update));
    call.on('error', (error: ServiceError) => {
      if (this.closed && error.code === status.CANCELLED) return;
      this.onDisconnect(error);
    });
    call.on('end', () => this.onDisconnect(undefined));
  }

  private onUpdate(update: ConfigUpdate): void {
    const u = update.update;
    if (!u) return;
    if (u.$case === 'snapshot') {
      this.replace(snapshotFromProto(u.value));
      if (!this.connected) this.options.logger.info({ version: u.value.version }, 'config stream connected');
      this.connected = true;
      this.attempt = 0;
      this.resolveFirst?.();
    } else {
      this.replace(applyDelta(this.snapshot(), u.value));
    }
    this.cache?.save(this.snapshot());
  }

  private onDisconnect(error: ServiceError | undefined): void {
    if (this.call === undefined) return;
    this.call = undefined;
    this.connected = false;
    if (this.closed) return;
    // Keep serving the last snapshot; reconnect with capped, jittered exponential backoff.
    const delay = Math.min(MAX_BACKOFF_MS, 200 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt += 1;
    if (error?.code === status.UNAUTHENTICATED) {
      this.options.logger.error({ err: error.details }, 'the control plane refused our token; retrying');
    } else {
      this.options.logger.warn(
        { err: error?.details, retryInMs: Math.round(delay) },
        'config stream lost; serving the last snapshot',
      );
    }
    this.retryTimer = setTimeout(() => this.open(), delay);
    this.retryTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.cache?.flush();
    clearTimeout(this.retryTimer);
    this.call?.cancel();
    this.call = undefined;
    this.connected = false;
    this.grpc.close();
  }
}

/**
 * Streams configuration from the control plane into memory: resolves once a first snapshot is
 * there (from the control plane, or from the cache file when it is down), then keeps it current.
 */
export async function connectConfigStream(options: ConnectConfigStreamOptions): Promise<ConfigStreamClient> {
  const view = new StreamingConfigView(options);
  await view.loadCache();
  view.open();
  const timeoutMs = options.firstSnapshotTimeoutMs ?? 30000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      view.firstSnapshot,
      new Promise((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new Error(`no configuration from the control plane at ${options.address} within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
  } catch (error) {
    await view.close();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return view;
}
