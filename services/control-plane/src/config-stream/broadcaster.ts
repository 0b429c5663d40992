import type { ConfigSnapshot, ConfigUpdate } from '@manifold/proto';
import { SaidOnce, type Logger } from '@manifold/logger';
import type { BuiltSnapshot, SkippedItem } from './build-snapshot';
import { diffSnapshots } from './diff';

export interface BroadcasterOptions {
  /** Reads the shared version counter (every replica's writes increment it). */
  readVersion(): Promise<number>;
  build(version: number, now: Date): Promise<BuiltSnapshot>;
  logger: Logger;
  now: () => Date;
  /** How often to look for writes made through other replicas. */
  pollIntervalMs: number;
}

type Listener = (update: ConfigUpdate) => void;

/**
 * Keeps the current data-plane snapshot and pushes changes to every WatchConfig stream.
 * FerretDB has no change streams, so replicas notice each other's writes by polling one
 * version counter: a write on any replica reaches every watcher within one poll interval.
 */
export class ConfigBroadcaster {
  private built: BuiltSnapshot | undefined;
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  /** What was last said of each item left out of the snapshot, so that a rebuild says it again only when it changed. */
  private readonly said = new SaidOnce();

  constructor(private readonly options: BroadcasterOptions) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      void this.refresh().catch((error: unknown) =>
        this.options.logger.warn({ err: error }, 'config refresh failed; serving the last snapshot'),
      );
    }, this.options.pollIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.listeners.clear();
  }

  current(): ConfigSnapshot {
    if (!this.built) throw new Error('config broadcaster not started');
    return this.built.snapshot;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Rebuilds when the version moved or a write key expired; calls are serialised. */
  refresh(): Promise<void> {
    const next = this.chain.then(() => this.refreshNow());
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async refreshNow(): Promise<void> {
    const now = this.options.now();
    const version = await this.options.readVersion();
    const previous = this.built;
    const expired = previous?.nextExpiry != null && previous.nextExpiry <= now;
    if (previous && previous.snapshot.version === version && !expired) return;
    const built = await this.options.build(version, now);
    this.built = built;
    this.reportSkipped(built.skipped);
    if (!previous) return;
    const delta = diffSnapshots(previous.snapshot, built.snapshot);
    if (!delta) return;
    this.options.logger.info(
      { from: delta.fromVersion, to: delta.toVersion, watchers: this.listeners.size },
      'configuration changed',
    );
    for (const listener of this.listeners) listener({ update: { $case: 'delta', value: delta } });
  }

  /**
   * Logs each item left out of the snapshot once per reason (every write anywhere rebuilds it,
   * and the item stays out until its document can be read), and forgets those built again.
   */
  private reportSkipped(skipped: readonly SkippedItem[]): void {
    const seen = new Set<string>();
    for (const item of skipped) {
      const key = `${item.kind}:${item.id}`;
      seen.add(key);
      if (!this.said.first(key, item.reason)) continue;
      const id = item.kind === 'source webhook' ? { sourceId: item.id } : { [`${item.kind}Id`]: item.id };
      this.options.logger.error(
        { ...id, reason: item.reason },
        item.kind === 'source webhook'
          ? "a source's webhook settings cannot be read: its webhook deliveries are refused until they can be"
          : `a ${item.kind} cannot be read: it is left out of the data plane's configuration until it can be`,
      );
    }
    this.said.keepOnly(seen);
  }
}
