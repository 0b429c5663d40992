import type {
  DeliveryStats,
  GetDeliveryStatsRequest,
  ListWarehouseLoadsRequest,
  ListWarehouseLoadsResponse,
} from '@manifold/proto';
import type { DeliveryReport } from '@manifold/events';
import type { WarehouseLoadRecord } from '@manifold/warehouse';
import type { Collection, Db } from 'mongodb';
import { isDuplicateKeyError } from '@manifold/mongo';
import { resolveDestination } from './destinations';
import { resolveWorkspace } from './workspaces';
import type { Store } from '../store/store';

/** Latency histogram bucket upper bounds (ms); the last bucket is open-ended. */
export const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000];

/** Where a message was read in the reports topic. */
export interface ReportPosition {
  partition: number;
  offset: string;
}

/** Counts for one destination, one minute, one outcome and reason. */
interface DeliveryCounterDoc {
  _id: string;
  destinationId: string;
  workspaceId: string;
  minute: Date;
  outcome: string;
  reason: string;
  count: number;
  /** h0..hN: how many delivered events fell in each latency bucket (flat fields: FerretDB-safe). */
  [bucket: `h${number}`]: number;
  /** p<partition> → the last reports-topic offset counted here (see recordDelivery). */
  applied?: Record<string, number>;
}

interface WarehouseLoadDoc {
  _id: string;
  warehouseId: string;
  workspaceId: string;
  sourceId: string;
  startedAt: Date;
  finishedAt: Date;
  status: string;
  rows: Array<{ table: string; rows: number }>;
  errors: string[];
  /** Where the load's events were on the events topic (absent in older records). */
  offsets?: WarehouseLoadRecord['offsets'];
  schema?: string;
}

function bucketOf(ms: number): number {
  const i = LATENCY_BUCKETS_MS.findIndex((bound) => ms <= bound);
  return i === -1 ? LATENCY_BUCKETS_MS.length : i;
}

/** Delivery stats and warehouse load history, aggregated from the data plane's reports. */
export class Observability {
  private readonly counters: Collection<DeliveryCounterDoc>;
  private readonly loads: Collection<WarehouseLoadDoc>;

  constructor(
    private readonly store: Store,
    db: Db,
  ) {
    this.counters = db.collection('delivery_counters');
    this.loads = db.collection('warehouse_loads');
  }

  async ensureIndexes(): Promise<void> {
    await this.counters.createIndex({ destinationId: 1, minute: 1 }, { name: 'by_destination_minute' });
    await this.loads.createIndex({ warehouseId: 1, startedAt: -1 }, { name: 'by_warehouse_time' });
  }

  /**
   * Adds the reports of one reports-topic message (read at `position`) to the per-minute
   * counters, idempotently: each counter remembers the last offset it took from each partition and
   * refuses an offset it has already taken, in the same single-document update. A report read
   * again after a crash or a rebalance, before its offset was committed, is then not counted
   * twice. (MongoDB applies that update atomically; FerretDB does not against concurrent writers,
   * which one replica, updating one counter at a time, never is.)
   */
  async recordDelivery(reports: readonly DeliveryReport[], position: ReportPosition): Promise<void> {
    const updates = new Map<string, { report: DeliveryReport; minute: Date; inc: Record<string, number> }>();
    for (const r of reports) {
      const minute = new Date(Math.floor(new Date(r.at).getTime() / 60000) * 60000);
      const reason = r.reason ?? '';
      const id = `${r.destinationId}|${minute.toISOString()}|${r.outcome}|${reason}`;
      // One update per counter per message: a second one with the same offset would be refused.
      let update = updates.get(id);
      if (!update) updates.set(id, (update = { report: r, minute, inc: {} }));
      update.inc['count'] = (update.inc['count'] ?? 0) + r.count;
      for (const ms of r.latenciesMs ?? []) {
        const key = `h${bucketOf(ms)}`;
        update.inc[key] = (update.inc[key] ?? 0) + 1;
      }
    }
    for (const [id, { report: r, minute, inc }] of updates) {
      const setOnInsert = {
        destinationId: r.destinationId,
        workspaceId: r.workspaceId,
        minute,
        outcome: r.outcome,
        reason: r.reason ?? '',
      };
      const mark = `applied.p${position.partition}`;
      const offset = Number(position.offset);
      const filter = { _id: id, $or: [{ [mark]: { $exists: false } }, { [mark]: { $lt: offset } }] };
      const update = { $inc: inc, $set: { [mark]: offset }, $setOnInsert: setOnInsert };
      try {
        await this.counters.updateOne(filter, update, { upsert: true });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        // The upsert's insert collided: the counter exists, and either it has taken this offset
        // already or another replica created it a moment ago. Updating it without the insert
        // tells them apart (no match: already counted).
        await this.counters.updateOne(filter, update);
      }
    }
  }

  async recordLoad(record: WarehouseLoadRecord): Promise<void> {
    // Keyed by load id: a record delivered twice is stored once.
    await this.loads.updateOne(
      { _id: record.loadId },
      {
        $set: {
          warehouseId: record.warehouseId,
          workspaceId: record.workspaceId,
          sourceId: record.sourceId,
          startedAt: new Date(record.startedAt),
          finishedAt: new Date(record.finishedAt),
          status: record.status,
          rows: Object.entries(record.rowsByTable).map(([table, rows]) => ({ table, rows })),
          errors: [...record.errors, ...skippedLines(record), ...record.notices.map((n) => JSON.stringify(n))],
          offsets: record.offsets ?? [],
          schema: record.schema,
        },
      },
      { upsert: true },
    );
  }

  async deliveryStats(req: GetDeliveryStatsRequest, now: Date): Promise<DeliveryStats> {
    const workspace = await resolveWorkspace(this.store, req.workspace);
    const destination = await resolveDestination(this.store, workspace, req.destination);
    const since = req.since ?? new Date(now.getTime() - 24 * 3600 * 1000);
    const docs = await this.counters.find({ destinationId: destination._id, minute: { $gte: since } }).toArray();
    const totals = { delivered: 0, retried: 0, failed: 0, filtered: 0, fieldsDropped: 0, fieldsConverted: 0 };
    const failures = new Map<string, number>();
    const filtered = new Map<string, number>();
    const droppedFields = new Map<string, number>();
    const convertedFields = new Map<string, number>();
    // Each stored outcome: the total it adds to, and its counts per reason when they are shown.
    const outcomes: Record<string, { total: keyof typeof totals; reasons?: Map<string, number> }> = {
      delivered: { total: 'delivered' },
      retried: { total: 'retried' },
      failed: { total: 'failed', reasons: failures },
      filtered: { total: 'filtered', reasons: filtered },
      field_dropped: { total: 'fieldsDropped', reasons: droppedFields },
      field_converted: { total: 'fieldsConverted', reasons: convertedFields },
    };
    const histogram = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
    let updatedAt: Date | undefined;
    for (const doc of docs) {
      const outcome = outcomes[doc.outcome];
      if (outcome) {
        totals[outcome.total] += doc.count;
        outcome.reasons?.set(doc.reason, (outcome.reasons.get(doc.reason) ?? 0) + doc.count);
      }
      histogram.forEach((_, i) => (histogram[i] = (histogram[i] ?? 0) + (doc[`h${i}`] ?? 0)));
      if (!updatedAt || doc.minute > updatedAt) updatedAt = doc.minute;
    }
    const byCount = (m: Map<string, number>) =>
      [...m].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count);
    return {
      destinationId: destination._id,
      ...totals,
      failuresByReason: byCount(failures),
      filteredByReason: byCount(filtered),
      droppedFieldsByReason: byCount(droppedFields),
      convertedFieldsByReason: byCount(convertedFields),
      latencyP50Ms: percentile(histogram, 0.5),
      latencyP95Ms: percentile(histogram, 0.95),
      updatedAt,
    };
  }

  /** The loads of one source into one warehouse that started from `since` on, oldest first (the per-event trace). */
  async loadsOfSourceSince(warehouseId: string, sourceId: string, since: Date, limit = 200): Promise<TracedLoad[]> {
    return this.loads
      .find({ warehouseId, sourceId, startedAt: { $gte: since } })
      .sort({ startedAt: 1 })
      .limit(limit)
      .toArray();
  }

  async warehouseLoads(req: ListWarehouseLoadsRequest): Promise<ListWarehouseLoadsResponse> {
    const workspace = await resolveWorkspace(this.store, req.workspace);
    const warehouse = await resolveDestination(this.store, workspace, req.destination);
    const docs = await this.loads
      .find({ warehouseId: warehouse._id }, { sort: { startedAt: -1 }, limit: Math.min(Math.max(req.limit, 1), 500) })
      .toArray();
    return {
      loads: docs.map((d) => ({
        id: d._id,
        warehouseId: d.warehouseId,
        sourceId: d.sourceId,
        startedAt: d.startedAt,
        finishedAt: d.finishedAt,
        rows: d.rows,
        errors: d.errors,
        status: d.status,
      })),
    };
  }
}

/** A load of one warehouse as the per-event trace reads it. */
export type TracedLoad = Pick<
  WarehouseLoadDoc,
  '_id' | 'status' | 'startedAt' | 'finishedAt' | 'errors' | 'offsets' | 'schema'
>;

/** Events a load set aside (the warehouse refused them for good), as lines of the load's history. */
function skippedLines(record: WarehouseLoadRecord): string[] {
  const listed = record.skipped ?? [];
  const lines = listed.map((s) => `event ${s.messageId} set aside: ${s.reason}`);
  const unlisted = (record.skippedEvents ?? listed.length) - listed.length;
  if (unlisted > 0) lines.push(`and ${unlisted} more events set aside`);
  return lines;
}

/** The upper bound of the bucket holding the q-th quantile; 0 with no data. */
function percentile(histogram: number[], q: number): number {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  let seen = 0;
  for (const [i, count] of histogram.entries()) {
    seen += count;
    if (seen >= q * total) return LATENCY_BUCKETS_MS[i] ?? LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1]! * 2;
  }
  return 0;
}
