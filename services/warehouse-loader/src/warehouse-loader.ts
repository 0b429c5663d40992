import { randomUUID } from 'node:crypto';
import type { ConfigView, SourceConfig, WarehouseConfig } from '@manifold/config-client';
import { EVENT_HEADERS, KafkaNames, REDELIVERY_HEADERS, isCallType, type SpecEvent } from '@manifold/events';
import type { BatchContext, ConsumedBatch, ConsumerRunner, KafkaClient } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import {
  SourceBatchBuilder,
  createEngine,
  loadOffsets,
  schemaNameForSource,
  warehouseAllowed,
  type EngineSettings,
  type SourceBatch,
  type WarehouseEngine,
  type WarehouseLoadRecord,
} from '@manifold/warehouse';
import { backoffDelay, type BackoffOptions } from './backoff';
import type { LoadHistory } from './load-history';
import { LoadOutcome, type LoadRecordBase } from './load-outcome';
import { PendingEvents, type PendingEvent } from './pending-events';
import { StallWatch } from './stall-watch';

/** Events parsed and laid out per slice before the loop yields, so a COPY in progress keeps flowing. */
const LAYOUT_SLICE = 250;

interface Chunk {
  sourceId: string;
  events: PendingEvent[];
}

interface PreparedLoad {
  source: SourceConfig;
  events: PendingEvent[];
  attempt: number;
  startedAt: Date;
  /** '' when the source's slug gives no schema name (then `error` says why). */
  schema: string;
  /** Undefined when no event parsed. */
  batch?: SourceBatch;
  layoutMs: number;
  error?: unknown;
}

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
   * Default: the names' warehouse replay topic; ignored when it does not exist.
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

export interface WarehouseLoaderStats {
  pendingEvents: number;
  loads: number;
  failedLoads: number;
  rowsLoaded: number;
  undecodableMessages: number;
  /** Events the warehouse refused for good, isolated and set aside (each listed in its load record). */
  skippedEvents: number;
  consecutiveFailures: number;
  /** How long the longest-waiting events have gone without a load of their source (0 when none wait). */
  secondsSinceLastLoad: number;
  /** 1 while that exceeds stallAfterIntervals sync intervals, else 0. */
  stalled: number;
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
  private readonly replayTopic: string;
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
  private readonly stall: StallWatch;

  constructor(private readonly options: WarehouseLoaderOptions) {
    this.id = options.warehouse.id;
    this.topic = options.eventsTopic ?? (options.names ?? new KafkaNames()).events;
    this.replayTopic = options.replayTopic ?? (options.names ?? new KafkaNames()).warehouseReplay;
    this.log = options.logger.child({ warehouseId: this.id, warehouseKind: options.warehouse.kind });
    this.pending = new PendingEvents(this.topic);
    this.stall = new StallWatch(this.pending, (options.stallAfterIntervals ?? 5) * this.intervalMs());
  }

  get groupId(): string {
    return (this.options.names ?? new KafkaNames()).warehouseGroup(this.id);
  }

  get stats(): WarehouseLoaderStats {
    const now = Date.now();
    return {
      ...this.counters,
      pendingEvents: this.pending.size,
      consecutiveFailures: this.consecutiveFailures,
      secondsSinceLastLoad: Math.floor(this.stall.delayMs(now) / 1000),
      stalled: this.stall.report(now) === undefined ? 0 : 1,
      timings: { ...this.timings },
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
    this.engineSettings = settings;
    const topics = await this.options.kafka.listTopics();
    if (!topics.includes(this.topic)) {
      throw new Error(`the events topic ${this.topic} does not exist yet (ingestion creates it)`);
    }
    this.consumer = this.options.kafka.consumer({
      groupId: this.groupId,
      topics: topics.includes(this.replayTopic) ? [this.topic, this.replayTopic] : [this.topic],
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
    const readAt = Date.now();
    // A replay topic message is this warehouse's only when addressed to it.
    const replay = batch.topic === this.replayTopic;
    for (const message of batch.messages) {
      const offset = BigInt(message.offset);
      const sourceId = message.headers[EVENT_HEADERS.sourceId];
      if (replay && message.headers[REDELIVERY_HEADERS.destinationId] !== this.id) {
        // another warehouse's replay
      } else if (!sourceId || !message.headers[EVENT_HEADERS.workspaceId] || !message.value) {
        this.undecodable(message.partition, message.offset, 'a message without source, workspace or body');
      } else if (
        this.concerns(sourceId) &&
        this.allowedByIntegrations(message.value, message.partition, message.offset)
      ) {
        this.pending.add(sourceId, {
          body: message.value,
          messageId: message.headers[EVENT_HEADERS.messageId] ?? '',
          partition: message.partition,
          offset,
          readAt,
          ...(replay ? { topic: batch.topic } : {}),
        });
      }
      this.pending.seen(message.partition, offset, batch.topic);
    }
    this.flushIfFull();
    // Backpressure: Kafka keeps what we have not read yet, memory does not.
    while (this.pending.size >= this.maxPending && context.isRunning() && !this.stopping) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await context.heartbeat();
      this.flushIfFull();
    }
  }

  /** The `Warehouses` rule of the integrations object; most events have none and are not parsed here. */
  private allowedByIntegrations(body: Buffer, partition: number, offset: string): boolean {
    if (body.indexOf('"Warehouses"') === -1) return true;
    try {
      const event = JSON.parse(body.toString('utf8')) as Partial<SpecEvent>;
      return warehouseAllowed(event.integrations, this.id);
    } catch {
      this.undecodable(partition, offset, 'a message whose body is not JSON');
      return false;
    }
  }

  private undecodable(partition: number, offset: string, what: string): void {
    this.counters.undecodableMessages++;
    this.log.warn({ partition, offset }, `skipped ${what}`);
  }

  /** A waiting event, parsed; a body that is not a Spec event is counted and left out. */
  private parse(pending: PendingEvent): SpecEvent | undefined {
    try {
      const event = JSON.parse(pending.body.toString('utf8')) as SpecEvent;
      if (isCallType(event.type) && typeof event.messageId === 'string') return event;
    } catch {
      // reported below
    }
    this.undecodable(pending.partition, pending.offset.toString(), 'a message whose body is not a Spec event');
    return undefined;
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
        this.stall.roundEnded();
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

  /**
   * One load round: everything waiting, as chunks of at most batchSize events of one source,
   * each in its own transaction. While a chunk is in the warehouse, the next one is parsed and
   * laid out (in slices, so the COPY in progress keeps streaming), and while full batches keep
   * arriving the round goes on taking them. A failure of the warehouse ends the round and gives
   * everything not loaded back; a source whose schema cannot be named fails alone.
   */
  private async load(): Promise<void> {
    const queue: Chunk[] = [];
    const take = (): void => {
      const taken = this.pending.takeAll();
      this.stall.taken(taken);
      for (const [sourceId, events] of taken) {
        for (let i = 0; i < events.length; i += this.batchSize) {
          queue.push({ sourceId, events: events.slice(i, i + this.batchSize) });
        }
      }
    };
    const giveBackAll = (chunks: Chunk[]): void => {
      for (const chunk of chunks.reverse()) this.pending.giveBack(chunk.sourceId, chunk.events);
    };
    take();
    let failed = false;
    let next = await this.prepareNext(queue);
    while (next) {
      const current = next;
      const loading = this.loadPrepared(current);
      if (queue.length === 0 && this.pending.size >= this.batchSize && !this.stopping) take();
      next = await this.prepareNext(queue);
      if (await loading) {
        await this.commit([next?.events ?? [], ...queue.map((c) => c.events)]);
        continue;
      }
      failed = true;
      if (current.error !== undefined) {
        // Only this source is at fault: its other chunks wait with it, the rest goes on.
        const sourceId = current.source.id;
        const others = queue.filter((c) => c.sourceId !== sourceId);
        giveBackAll(queue.filter((c) => c.sourceId === sourceId));
        queue.splice(0, queue.length, ...others);
        if (next?.source.id === sourceId) {
          this.pending.giveBack(sourceId, next.events);
          next = await this.prepareNext(queue);
        }
        continue;
      }
      // The warehouse failed: everything not loaded waits for the retry.
      giveBackAll([...(next ? [{ sourceId: next.source.id, events: next.events }] : []), ...queue]);
      break;
    }
    this.consecutiveFailures = failed ? this.consecutiveFailures + 1 : 0;
    await this.commit();
  }

  private async prepareNext(queue: Chunk[]): Promise<PreparedLoad | undefined> {
    for (let chunk = queue.shift(); chunk; chunk = queue.shift()) {
      const prepared = await this.prepare(chunk.sourceId, chunk.events);
      if (prepared) return prepared;
    }
    return undefined;
  }

  /** Parses and lays out a chunk; undefined when its source no longer exists (events dropped). */
  private async prepare(sourceId: string, events: PendingEvent[]): Promise<PreparedLoad | undefined> {
    const source = this.options.config.source(sourceId);
    if (!source) {
      this.log.warn({ sourceId, events: events.length }, 'source no longer exists; its waiting events are dropped');
      return undefined;
    }
    const prepared: PreparedLoad = {
      source,
      events,
      attempt: (this.attempts.get(sourceId) ?? 0) + 1,
      startedAt: new Date(),
      schema: '',
      layoutMs: 0,
    };
    try {
      prepared.schema = schemaNameForSource(source.slug);
    } catch (error) {
      prepared.error = error;
      return prepared;
    }
    const builder = new SourceBatchBuilder({
      schema: prepared.schema,
      uuidTs: prepared.startedAt.toISOString(),
      maxStringLength: this.engineSettings?.maxStringLength ?? 512,
    });
    let laidOut = 0;
    for (let i = 0; i < events.length; i += LAYOUT_SLICE) {
      const sliceStart = performance.now();
      for (const pending of events.slice(i, i + LAYOUT_SLICE)) {
        const event = this.parse(pending);
        if (event) {
          builder.add(event, pending.body);
          laidOut++;
        }
      }
      prepared.layoutMs += performance.now() - sliceStart;
      if (i + LAYOUT_SLICE < events.length) await new Promise((resolve) => setImmediate(resolve));
    }
    if (laidOut > 0) prepared.batch = builder.finish();
    return prepared;
  }

  /**
   * Loads a prepared chunk in one transaction and records it; false when it failed and its events
   * were given back. When the warehouse refuses the rows themselves for good (engine.classifyError:
   * a value it cannot store, a row too big — not an outage), the events are split in halves and
   * loaded separately, down to each event at fault, which is set aside with the warehouse's
   * reason: one bad event never holds up the others, and the chunk still makes one record, listing
   * what was set aside.
   */
  private async loadPrepared(prepared: PreparedLoad): Promise<boolean> {
    const engine = this.engine;
    if (!engine) throw new Error('loader not started');
    const { source, events, attempt, startedAt, schema } = prepared;
    const base: LoadRecordBase = {
      loadId: randomUUID(),
      warehouseId: this.id,
      workspaceId: source.workspaceId,
      sourceId: source.id,
      startedAt: startedAt.toISOString(),
      attempt,
      schema,
      // Events-topic offsets only: the per-event trace finds a load by where ingestion put the event.
      offsets: loadOffsets(events.filter((e) => e.topic === undefined)),
    };
    if (prepared.error !== undefined) {
      const message = prepared.error instanceof Error ? prepared.error.message : String(prepared.error);
      await this.failed(base, events, message);
      return false;
    }
    if (!prepared.batch) return true;
    const outcome = new LoadOutcome();
    const unloaded = await this.loadIsolating(engine, prepared, outcome);
    if (outcome.settled) {
      this.stall.loaded(source.id);
      this.counters.skippedEvents += outcome.skippedCount;
      await this.record(outcome.record(base));
    }
    if (unloaded) {
      // Part of the chunk may be in already (recorded above): the rest is a failure of its own.
      const retry = outcome.settled ? { ...base, loadId: randomUUID() } : base;
      await this.failed(retry, unloaded.events, engine.describeError(unloaded.error));
      return false;
    }
    this.attempts.delete(source.id);
    return true;
  }

  /**
   * Loads `prepared` into `outcome`, splitting it while the warehouse refuses its rows for good.
   * Returns the events not loaded when the warehouse failed otherwise (an outage), with why.
   */
  private async loadIsolating(
    engine: WarehouseEngine,
    prepared: PreparedLoad,
    outcome: LoadOutcome,
  ): Promise<{ events: PendingEvent[]; error: unknown } | undefined> {
    const { source, events, batch } = prepared;
    if (prepared.error !== undefined) return { events, error: prepared.error };
    if (!batch) return undefined;
    try {
      const result = await engine.load(batch);
      this.timings.layoutMs += prepared.layoutMs;
      for (const key of ['planMs', 'ddlMs', 'copyMs', 'mergeMs'] as const) this.timings[key] += result.timings[key];
      this.log.debug({ sourceId: source.id, layoutMs: prepared.layoutMs, ...result.timings }, 'load timings');
      outcome.loaded(result, batch.events);
      this.counters.loads++;
      this.counters.rowsLoaded += Object.values(result.rowsByTable).reduce((a, b) => a + b, 0);
      return undefined;
    } catch (error) {
      if (engine.classifyError(error) !== 'data') return { events, error };
      if (events.length === 1) {
        const messageId = (events[0] as PendingEvent).messageId;
        this.log.warn(
          { sourceId: source.id, messageId, err: error },
          'the warehouse refused an event for good; set aside',
        );
        outcome.skip(messageId, engine.describeError(error));
        return undefined;
      }
      this.log.warn(
        { sourceId: source.id, events: events.length, err: error },
        'warehouse refused a batch; splitting it',
      );
      const middle = Math.ceil(events.length / 2);
      const halves = [events.slice(0, middle), events.slice(middle)];
      for (const [i, half] of halves.entries()) {
        const part = await this.prepare(source.id, half);
        const unloaded = part ? await this.loadIsolating(engine, part, outcome) : undefined;
        if (unloaded) return { events: [...unloaded.events, ...halves.slice(i + 1).flat()], error: unloaded.error };
      }
      return undefined;
    }
  }

  /** Gives a failed load's events back for the retry, and records the failure. */
  private async failed(base: LoadRecordBase, events: PendingEvent[], message: string): Promise<void> {
    this.pending.giveBack(base.sourceId, events);
    this.attempts.set(base.sourceId, base.attempt);
    this.counters.failedLoads++;
    this.stall.failed(message);
    await this.record({
      ...base,
      status: 'failure',
      finishedAt: new Date().toISOString(),
      events: events.length,
      rowsByTable: {},
      rows: 0,
      tablesCreated: [],
      columnsAdded: [],
      notices: [],
      errors: [message],
    });
  }

  private async record(record: WarehouseLoadRecord): Promise<void> {
    await this.options.history.record(record);
  }

  /** Commits what is safe: everything before the earliest event still waiting or `inFlight`. */
  private async commit(inFlight: PendingEvent[][] = []): Promise<void> {
    const points = this.pending.commitPoints(inFlight);
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
