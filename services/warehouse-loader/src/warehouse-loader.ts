import type { ConfigView, WarehouseConfig } from '@manifold/config-client';
import { KafkaNames } from '@manifold/events';
import type { KafkaClient } from '@manifold/kafka';
import { maskedLogger, type Logger } from '@manifold/logger';
import { createEngine, warehouseMasker, type EngineSettings, type WarehouseEngine } from '@manifold/warehouse';
import { backoffDelay, type BackoffOptions } from './backoff';
import { ChunkLoader, type LoadCounters, type LoadTimings } from './chunk-loader';
import { noValueNotices, type ValueNoticeCounts } from './value-notices';
import { EventIntake } from './intake';
import type { LoadHistory } from './load-history';
import { runLoadRound } from './load-round';
import { StallWatch } from './stall-watch';

export type EngineFactory = (
  kind: string,
  settings: Record<string, unknown>,
  logger: Logger,
) => { engine: WarehouseEngine; settings: EngineSettings };

export interface WarehouseLoaderOptions {
  warehouse: WarehouseConfig;
  config: ConfigView;
  kafka: KafkaClient;
  history: LoadHistory;
  logger: Logger;
  /** Topic and consumer-group names (KAFKA_TOPIC_PREFIX). Default: no prefix. */
  names?: KafkaNames;
  /** Default: the names' accepted-events topic. */
  eventsTopic?: string;
  /**
   * Events replayed for one warehouse (the control plane's replays), read beside the events
   * topic in the same group: those addressed to this warehouse are loaded like any other.
   * Default: the names' warehouse replay topic; not read while it does not exist.
   */
  replayTopic?: string;
  /** Retry delays while the warehouse fails. Default 1 s doubling to 5 min. */
  backoff?: BackoffOptions;
  /** Stop reading (Kafka keeps the rest) when this many events wait. Default 4 × batchSize. */
  maxPendingEvents?: number;
  /**
   * Report the warehouse stalled once events have waited this many sync intervals without a
   * load of their source committing. Default 5.
   */
  stallAfterIntervals?: number;
  createEngine?: EngineFactory;
}

export interface WarehouseLoaderStats extends LoadCounters {
  pendingEvents: number;
  undecodableMessages: number;
  consecutiveFailures: number;
  /** How long the longest-waiting events have gone without a load of their source (0 when none wait). */
  secondsSinceLastLoad: number;
  /** 1 while that exceeds stallAfterIntervals sync intervals, else 0. */
  stalled: number;
  timings: LoadTimings;
  valueNotices: ValueNoticeCounts;
}

const NO_LOADS: LoadCounters = { loads: 0, failedLoads: 0, rowsLoaded: 0, skippedEvents: 0 };
const NO_TIMINGS: LoadTimings = { layoutMs: 0, planMs: 0, ddlMs: 0, copyMs: 0, mergeMs: 0 };

/**
 * Loads one warehouse: its intake reads every event in the warehouse's own consumer group and
 * keeps those of its sources; load rounds run on the warehouse's interval, or as soon as a batch
 * is full, and load them per source. Offsets are committed only after the warehouse transaction
 * of every event before them has committed, so a crash at any point loses nothing and the id
 * dedupe absorbs what is read again. While the warehouse fails, its events wait (in memory, then
 * in Kafka) and rounds are retried with backoff; other warehouses have their own loaders and
 * consumer groups and go on.
 */
export class WarehouseLoader {
  readonly id: string;
  readonly groupId: string;
  private readonly log: Logger;
  private readonly intake: EventIntake;
  private readonly stall: StallWatch;
  private engine: WarehouseEngine | undefined;
  private batchSize = 20000;
  private chunks: ChunkLoader | undefined;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private stopping = false;
  private consecutiveFailures = 0;
  /** The latest "sync now" acted on (those made before this loader started are not). */
  private syncRequestedAt: string | undefined;
  /** A "sync now" came during a round: another round follows at once. */
  private syncWanted = false;

  constructor(private readonly options: WarehouseLoaderOptions) {
    this.id = options.warehouse.id;
    const names = options.names ?? new KafkaNames();
    this.groupId = names.warehouseGroup(this.id);
    // The warehouse's credentials are masked in everything it logs (a driver error may quote its URL).
    const masker = warehouseMasker(options.warehouse.kind, options.warehouse.settings);
    this.log = maskedLogger(
      options.logger.child({ warehouseId: this.id, warehouseKind: options.warehouse.kind }),
      (text) => masker.text(text),
    );
    this.intake = new EventIntake({
      warehouseId: this.id,
      kafka: options.kafka,
      topic: options.eventsTopic ?? names.events,
      replayTopic: options.replayTopic ?? names.warehouseReplay,
      groupId: this.groupId,
      config: options.config,
      logger: this.log,
      onEvents: () => this.flushIfFull(),
    });
    this.stall = new StallWatch(this.intake.pending, (options.stallAfterIntervals ?? 5) * this.intervalMs());
    this.syncRequestedAt = options.warehouse.syncRequestedAt;
  }

  /**
   * A "sync now" from the control plane (seen in the config stream): loads what is waiting at
   * once, or right after the round in progress. A request already acted on changes nothing.
   */
  requestSync(requestedAt: string | undefined): void {
    if (!requestedAt || (this.syncRequestedAt !== undefined && requestedAt <= this.syncRequestedAt)) return;
    this.syncRequestedAt = requestedAt;
    this.log.info({ requestedAt, pendingEvents: this.intake.pending.size }, 'sync requested');
    if (this.flushing) this.syncWanted = true;
    else if (!this.stopping && this.chunks) this.schedule(0);
  }

  get stats(): WarehouseLoaderStats {
    const now = Date.now();
    return {
      ...(this.chunks?.counters ?? NO_LOADS),
      undecodableMessages: this.intake.undecodableMessages,
      pendingEvents: this.intake.pending.size,
      consecutiveFailures: this.consecutiveFailures,
      secondsSinceLastLoad: Math.floor(this.stall.delayMs(now) / 1000),
      stalled: this.stall.report(now) === undefined ? 0 : 1,
      timings: { ...(this.chunks?.timings ?? NO_TIMINGS) },
      valueNotices: this.chunks?.valueNotices ?? noValueNotices(),
    };
  }

  /** Why this warehouse is stalled (see StallWatch), for readiness; undefined while it loads. */
  stalledReport(): string | undefined {
    return this.stall.report();
  }

  /** Opens the engine (throws InvalidWarehouseSettingsError on bad settings) and starts reading. */
  async start(): Promise<void> {
    const factory = this.options.createEngine ?? createEngine;
    const { engine, settings } = factory(this.options.warehouse.kind, this.options.warehouse.settings, this.log);
    this.engine = engine;
    this.batchSize = settings.batchSize;
    this.chunks = new ChunkLoader({
      warehouseId: this.id,
      engine,
      maxStringLength: settings.maxStringLength,
      config: this.options.config,
      pending: this.intake.pending,
      history: this.options.history,
      stall: this.stall,
      logger: this.log,
      onUndecodable: (pending, error) =>
        this.intake.skipUndecodable(pending.partition, pending.offset.toString(), error),
    });
    await this.intake.start(this.options.maxPendingEvents ?? this.batchSize * 4);
    this.schedule(this.intervalMs());
    this.log.info(
      { groupId: this.groupId, intervalMs: this.intervalMs(), batchSize: this.batchSize },
      'loader started',
    );
  }

  /** Loads what is waiting now (tests, shutdown); resolves when that load has finished. */
  async flushNow(): Promise<void> {
    await this.flushing;
    await this.flush();
  }

  /** Finishes the load in progress, tries one last load, commits, and leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.intake.release();
    clearTimeout(this.timer);
    await this.flushing;
    if (this.intake.pending.size > 0 && this.consecutiveFailures === 0) await this.flush();
    else await this.intake.commit();
    await this.intake.stop();
    await this.engine?.close();
    this.log.info(this.stats, 'loader stopped');
  }

  private intervalMs(): number {
    return Math.max(1, this.options.warehouse.syncIntervalSeconds) * 1000;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.stopping) return;
    this.timer = setTimeout(() => void this.flush(), delayMs);
    this.timer.unref();
    const now = Date.now();
    this.options.history.status?.({
      warehouseId: this.id,
      workspaceId: this.options.warehouse.workspaceId,
      at: new Date(now).toISOString(),
      nextSyncAt: new Date(now + delayMs).toISOString(),
      pendingEvents: this.intake.pending.size,
      ...(this.syncRequestedAt !== undefined ? { syncRequestedAt: this.syncRequestedAt } : {}),
    });
  }

  private flushIfFull(): void {
    if (this.intake.pending.size >= this.batchSize && !this.flushing && this.consecutiveFailures === 0) {
      void this.flush();
    }
  }

  private flush(): Promise<void> {
    this.flushing ??= this.load()
      .catch((error: unknown) => {
        this.consecutiveFailures++;
        this.log.error({ err: error }, 'load round failed');
      })
      .finally(() => {
        this.stall.roundEnded();
        this.flushing = undefined;
        if (this.syncWanted) {
          this.syncWanted = false;
          this.schedule(0);
        } else if (this.consecutiveFailures > 0) {
          this.schedule(
            backoffDelay(this.consecutiveFailures, this.options.backoff ?? { initialMs: 1000, maxMs: 300000 }),
          );
        } else {
          this.schedule(this.intervalMs());
          this.flushIfFull();
        }
      });
    return this.flushing;
  }

  private async load(): Promise<void> {
    const chunks = this.chunks;
    if (!chunks) throw new Error('loader not started');
    const loadedAll = await runLoadRound({
      pending: this.intake.pending,
      chunks,
      batchSize: this.batchSize,
      commit: (inFlight) => this.intake.commit(inFlight),
      taken: (bySource) => this.stall.taken(bySource),
      stopping: () => this.stopping,
    });
    this.consecutiveFailures = loadedAll ? 0 : this.consecutiveFailures + 1;
  }
}
