import { randomUUID } from 'node:crypto';
import type { ConfigView } from '@manifold/config-client';
import type { Logger } from '@manifold/logger';
import { loadOffsets, type WarehouseEngine, type WarehouseLoadRecord } from '@manifold/warehouse';
import type { LoadHistory } from './load-history';
import { LoadOutcome, type LoadRecordBase } from './load-outcome';
import type { ChunkLoading } from './load-round';
import type { PendingEvent, PendingEvents } from './pending-events';
import { prepareChunk, type PreparedChunk } from './prepare-chunk';
import { loadIsolatingRefusedRows } from './refused-rows';
import type { StallWatch } from './stall-watch';
import { countValueNotices, noValueNotices, type ValueNoticeCounts } from './value-notices';

export interface ChunkLoaderOptions {
  warehouseId: string;
  engine: WarehouseEngine;
  maxStringLength: number;
  config: ConfigView;
  /** Where the events of a failed load go back to, for the retry. */
  pending: PendingEvents;
  history: LoadHistory;
  stall: StallWatch;
  logger: Logger;
  /** Told about each waiting event whose body is not a Spec event; it is left out. */
  onUndecodable(pending: PendingEvent, error: unknown): void;
}

/** What the loads of one warehouse came to, summed. */
export interface LoadCounters {
  loads: number;
  failedLoads: number;
  rowsLoaded: number;
  /** Events the warehouse refused for good, isolated and set aside (each listed in its load record). */
  skippedEvents: number;
}

/** Time spent in successful loads, summed (ms): layout, plan, DDL, COPY, merge and commit. */
export interface LoadTimings {
  layoutMs: number;
  planMs: number;
  ddlMs: number;
  copyMs: number;
  mergeMs: number;
}

/**
 * Loads one chunk of one source's events into the warehouse and writes its load record: one
 * record per chunk, however many transactions isolating refused rows took; a failure gives the
 * events back for the retry and makes a `failure` record of its own.
 */
export class ChunkLoader implements ChunkLoading<PreparedChunk> {
  readonly counters: LoadCounters = { loads: 0, failedLoads: 0, rowsLoaded: 0, skippedEvents: 0 };
  readonly timings: LoadTimings = { layoutMs: 0, planMs: 0, ddlMs: 0, copyMs: 0, mergeMs: 0 };
  /** Values the committed loads dropped or converted, from their records' notices. */
  readonly valueNotices: ValueNoticeCounts = noValueNotices();
  /** Per source, the attempt its last failed load was (cleared once one succeeds). */
  private readonly attempts = new Map<string, number>();
  private readonly log: Logger;

  constructor(private readonly options: ChunkLoaderOptions) {
    this.log = options.logger;
  }

  /** Parses and lays out a chunk; undefined when its source no longer exists (events dropped). */
  async prepare(sourceId: string, events: PendingEvent[]): Promise<PreparedChunk | undefined> {
    const source = this.options.config.source(sourceId);
    if (!source) {
      this.log.warn({ sourceId, events: events.length }, 'source no longer exists; its waiting events are dropped');
      return undefined;
    }
    return prepareChunk(source, events, {
      attempt: (this.attempts.get(sourceId) ?? 0) + 1,
      maxStringLength: this.options.maxStringLength,
      onUndecodable: this.options.onUndecodable,
    });
  }

  /**
   * Loads a prepared chunk and records it; false when it failed and its events were given back.
   * An event the warehouse refuses for good loads without the values at fault, or is set aside
   * when that does not help (see loadIsolatingRefusedRows).
   */
  async load(prepared: PreparedChunk): Promise<boolean> {
    const { engine, stall } = this.options;
    const { source, events, attempt, startedAt, schema } = prepared;
    const base: LoadRecordBase = {
      loadId: randomUUID(),
      warehouseId: this.options.warehouseId,
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
    const unloaded = await loadIsolatingRefusedRows(prepared, outcome, {
      engine,
      logger: this.log,
      prepare: (half) => this.prepare(source.id, half),
      loaded: (part, result) => {
        this.timings.layoutMs += part.layoutMs;
        for (const key of ['planMs', 'ddlMs', 'copyMs', 'mergeMs'] as const) this.timings[key] += result.timings[key];
        this.log.debug({ sourceId: source.id, layoutMs: part.layoutMs, ...result.timings }, 'load timings');
        this.counters.loads++;
        this.counters.rowsLoaded += Object.values(result.rowsByTable).reduce((a, b) => a + b, 0);
      },
    });
    if (outcome.settled) {
      stall.loaded(source.id);
      this.counters.skippedEvents += outcome.skippedCount;
      const record = outcome.record(base);
      countValueNotices(record.notices, this.valueNotices);
      await this.record(record);
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

  /** Gives a failed load's events back for the retry, and records the failure. */
  private async failed(base: LoadRecordBase, events: PendingEvent[], message: string): Promise<void> {
    this.options.pending.giveBack(base.sourceId, events);
    this.attempts.set(base.sourceId, base.attempt);
    this.counters.failedLoads++;
    this.options.stall.failed(message);
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
}
