import { randomUUID } from 'node:crypto';
import type { ConfigView, SourceConfig, WarehouseConfig } from '@manifold/config-client';
import { TOPICS, decodeEventMessage } from '@manifold/events';
import type { BatchContext, ConsumedBatch, ConsumerRunner, KafkaClient } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import {
  buildSourceBatch,
  createEngine,
  schemaNameForSource,
  warehouseAllowed,
  type EngineSettings,
  type WarehouseEngine,
  type WarehouseLoadRecord,
} from '@manifold/warehouse';
import { backoffDelay, type BackoffOptions } from './backoff';
import type { LoadHistory } from './load-history';
import { PendingEvents, type PendingEvent } from './pending-events';

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
  /** Default: the accepted-events topic. */
  eventsTopic?: string;
  /** Consumer group = prefix + warehouse id. Default 'manifold-warehouse-'. */
  groupIdPrefix?: string;
  /** Retry delays while the warehouse fails. Default 1 s doubling to 5 min. */
  backoff?: BackoffOptions;
  /** Stop reading (Kafka keeps the rest) when this many events wait. Default 4 × batchSize. */
  maxPendingEvents?: number;
  createEngine?: EngineFactory;
}

export interface WarehouseLoaderStats {
  pendingEvents: number;
  loads: number;
  failedLoads: number;
  rowsLoaded: number;
  undecodableMessages: number;
  /** Events the warehouse refused one by one (each with a failure record naming it). */
  skippedEvents: number;
  consecutiveFailures: number;
  /** Time spent in successful loads, summed (ms): layout, plan, DDL, COPY, merge and commit. */
  timings: { layoutMs: number; planMs: number; ddlMs: number; copyMs: number; mergeMs: number };
}

/**
 * Loads one warehouse. It reads every event in its own consumer group, keeps those of its
 * sources, and loads them per source on the warehouse's interval or as soon as a batch is full.
 * Offsets are committed only after the warehouse transaction of every event before them has
 * committed, so a crash at any point loses nothing and the id dedupe absorbs what is read again.
 * While the warehouse fails, its events wait (in memory, then in Kafka) and loads are retried
 * with backoff; other warehouses have their own loaders and consumer groups and go on.
 */
export class WarehouseLoader {
  readonly id: string;
  private readonly log: Logger;
  private readonly topic: string;
  private readonly pending: PendingEvents;
  private engine: WarehouseEngine | undefined;
  private engineSettings: EngineSettings | undefined;
  private consumer: ConsumerRunner | undefined;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private stopping = false;
  private readonly attempts = new Map<string, number>();
  private readonly counters = { loads: 0, failedLoads: 0, rowsLoaded: 0, undecodableMessages: 0, skippedEvents: 0 };
  private readonly timings = { layoutMs: 0, planMs: 0, ddlMs: 0, copyMs: 0, mergeMs: 0 };
  private consecutiveFailures = 0;

  constructor(private readonly options: WarehouseLoaderOptions) {
    this.id = options.warehouse.id;
    this.topic = options.eventsTopic ?? TOPICS.events;
    this.log = options.logger.child({ warehouseId: this.id, warehouseKind: options.warehouse.kind });
    this.pending = new PendingEvents(this.topic);
  }

  get groupId(): string {
    return `${this.options.groupIdPrefix ?? 'manifold-warehouse-'}${this.id}`;
  }

  get stats(): WarehouseLoaderStats {
    return {
      ...this.counters,
      pendingEvents: this.pending.size,
      consecutiveFailures: this.consecutiveFailures,
      timings: { ...this.timings },
    };
  }

  /** Opens the engine (throws InvalidWarehouseSettingsError on bad settings) and starts reading. */
  async start(): Promise<void> {
    const factory = this.options.createEngine ?? createEngine;
    const { engine, settings } = factory(this.options.warehouse.kind, this.options.warehouse.settings, this.log);
    this.engine = engine;
    this.engineSettings = settings;
    if (!(await this.options.kafka.listTopics()).includes(this.topic)) {
      throw new Error(`the events topic ${this.topic} does not exist yet (ingestion creates it)`);
    }
    this.consumer = this.options.kafka.consumer({
      groupId: this.groupId,
      topics: [this.topic],
      fromBeginning: true,
      commitMode: 'manual',
      handleBatch: (batch, context) => this.take(batch, context),
    });
    await this.consumer.run();
    this.schedule(this.intervalMs());
    this.log.info(
      { groupId: this.groupId, intervalMs: this.intervalMs(), batchSize: settings.batchSize },
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
    clearTimeout(this.timer);
    await this.flushing;
    if (this.pending.size > 0 && this.consecutiveFailures === 0) await this.flush();
    else await this.commit();
    await this.consumer?.stop();
    await this.engine?.close();
    this.log.info(this.stats, 'loader stopped');
  }

  private intervalMs(): number {
    return Math.max(1, this.options.warehouse.syncIntervalSeconds) * 1000;
  }

  private get batchSize(): number {
    return this.engineSettings?.batchSize ?? 20000;
  }

  private get maxPending(): number {
    return this.options.maxPendingEvents ?? this.batchSize * 4;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.stopping) return;
    this.timer = setTimeout(() => void this.flush(), delayMs);
    this.timer.unref();
  }

  private async take(batch: ConsumedBatch, context: BatchContext): Promise<void> {
    for (const message of batch.messages) {
      const offset = BigInt(message.offset);
      try {
        const { event, metadata } = decodeEventMessage(message);
        if (this.concerns(metadata.sourceId) && warehouseAllowed(event.integrations, this.id)) {
          this.pending.add(metadata.sourceId, { event, partition: message.partition, offset });
        }
      } catch (error) {
        this.counters.undecodableMessages++;
        this.log.warn(
          { err: error, partition: message.partition, offset: message.offset },
          'skipped a message that is not an event',
        );
      }
      this.pending.seen(message.partition, offset);
    }
    this.flushIfFull();
    // Backpressure: Kafka keeps what we have not read yet, memory does not.
    while (this.pending.size >= this.maxPending && context.isRunning() && !this.stopping) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await context.heartbeat();
      this.flushIfFull();
    }
  }

  private concerns(sourceId: string): boolean {
    return this.options.config.warehousesForSource(sourceId).some((w) => w.id === this.id);
  }

  private flushIfFull(): void {
    if (this.pending.size >= this.batchSize && !this.flushing && this.consecutiveFailures === 0) void this.flush();
  }

  private flush(): Promise<void> {
    this.flushing ??= this.load()
      .catch((error: unknown) => {
        this.consecutiveFailures++;
        this.log.error({ err: error }, 'load round failed');
      })
      .finally(() => {
        this.flushing = undefined;
        if (this.consecutiveFailures > 0) {
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
    const taken = this.pending.takeAll();
    let failed = false;
    for (const [sourceId, events] of taken) {
      if (!(await this.loadSource(sourceId, events))) failed = true;
    }
    this.consecutiveFailures = failed ? this.consecutiveFailures + 1 : 0;
    await this.commit();
  }

  /** One source's events in one transaction; false (events given back) when it failed. */
  private async loadSource(sourceId: string, events: PendingEvent[]): Promise<boolean> {
    const source = this.options.config.source(sourceId);
    if (!source) {
      this.log.warn({ sourceId, events: events.length }, 'source no longer exists; its waiting events are dropped');
      return true;
    }
    const attempt = (this.attempts.get(sourceId) ?? 0) + 1;
    const loaded = await this.loadEvents(source, events, attempt);
    if (loaded) this.attempts.delete(sourceId);
    else this.attempts.set(sourceId, attempt);
    return loaded;
  }

  /**
   * Loads events in one transaction. When the warehouse refuses the rows themselves (not an
   * outage), the events are split in halves and loaded separately, down to the single event at
   * fault, which is skipped with a failure record naming it: one bad event never holds up the
   * others. Any other failure gives the events back to be retried with backoff.
   */
  private async loadEvents(source: SourceConfig, events: PendingEvent[], attempt: number): Promise<boolean> {
    const engine = this.engine;
    const settings = this.engineSettings;
    if (!engine || !settings) throw new Error('loader not started');
    const startedAt = new Date();
    const base = {
      loadId: randomUUID(),
      warehouseId: this.id,
      workspaceId: source.workspaceId,
      sourceId: source.id,
      startedAt: startedAt.toISOString(),
      attempt,
    };
    let schema = '';
    try {
      schema = schemaNameForSource(source.slug);
      const layoutStart = performance.now();
      const batch = buildSourceBatch(
        events.map((e) => e.event),
        { schema, uuidTs: startedAt.toISOString(), maxStringLength: settings.maxStringLength },
      );
      const layoutMs = performance.now() - layoutStart;
      const result = await engine.load(batch);
      this.timings.layoutMs += layoutMs;
      for (const key of ['planMs', 'ddlMs', 'copyMs', 'mergeMs'] as const) this.timings[key] += result.timings[key];
      this.log.debug({ sourceId: source.id, layoutMs, ...result.timings }, 'load timings');
      const rows = Object.values(result.rowsByTable).reduce((a, b) => a + b, 0);
      this.counters.loads++;
      this.counters.rowsLoaded += rows;
      await this.record({
        ...base,
        schema,
        status: result.plan.notices.length > 0 ? 'partial' : 'success',
        finishedAt: new Date().toISOString(),
        events: batch.events,
        rowsByTable: result.rowsByTable,
        rows,
        tablesCreated: result.plan.tables.filter((t) => t.create).map((t) => t.name),
        columnsAdded: result.plan.tables.flatMap((t) =>
          t.addColumns.map((c) => ({ table: t.name, column: c.name, type: c.type })),
        ),
        notices: result.plan.notices,
        errors: [],
      });
      return true;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const refused = schema !== '' && engine.classifyError(error) === 'data';
      if (refused && events.length > 1) {
        this.log.warn(
          { sourceId: source.id, events: events.length, err: error },
          'warehouse refused a batch; splitting it',
        );
        const middle = Math.ceil(events.length / 2);
        const first = await this.loadEvents(source, events.slice(0, middle), attempt);
        const second = await this.loadEvents(source, events.slice(middle), attempt);
        return first && second;
      }
      const failure: WarehouseLoadRecord = {
        ...base,
        schema,
        status: 'failure',
        finishedAt: new Date().toISOString(),
        events: events.length,
        rowsByTable: {},
        rows: 0,
        tablesCreated: [],
        columnsAdded: [],
        notices: [],
        errors: [message],
      };
      if (refused) {
        const skipped = events[0]?.event.messageId ?? '';
        this.counters.skippedEvents++;
        await this.record({ ...failure, errors: [`event ${skipped} skipped: the warehouse refused it: ${message}`] });
        return true;
      }
      this.pending.giveBack(source.id, events);
      this.counters.failedLoads++;
      await this.record(failure);
      return false;
    }
  }

  private async record(record: WarehouseLoadRecord): Promise<void> {
    await this.options.history.record(record);
  }

  private async commit(): Promise<void> {
    const points = this.pending.commitPoints();
    if (points.length === 0 || !this.consumer) return;
    try {
      await this.consumer.commit(points);
      this.pending.markCommitted(points);
    } catch (error) {
      // A rebalance is under way: the next owner reads these events again and dedupe absorbs them.
      this.log.warn({ err: error, points }, 'offsets not committed');
    }
  }
}
