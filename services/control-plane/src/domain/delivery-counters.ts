import type { DeliveryReport } from '@manifold/events';
import { isDuplicateKeyError } from '@manifold/mongo';
import type { Collection, Db } from 'mongodb';
import { bucketField, latencyBucket } from './latency-histogram';

/** Where a message was read in the reports topic. */
export interface ReportPosition {
  partition: number;
  offset: string;
}

export type Period = 'minute' | 'hour';

/** The stored outcome of the mapping tester's requests (see `recordTest`). */
export const TEST_OUTCOME = 'test';

const PERIOD_MS: Record<Period, number> = { minute: 60_000, hour: 3_600_000 };

/**
 * How long counters are kept: minutes for the last hour's view (and a day of margin for
 * GetDeliveryStats' default window), hours for the 7-day view. FerretDB has no TTL indexes, so
 * `sweep` deletes older ones.
 */
export const COUNTER_RETENTION_MS: Record<Period, number> = { minute: 26 * 3_600_000, hour: 8 * 24 * 3_600_000 };

/** Counts for one destination, one period (minute or hour), one outcome and reason. */
export interface DeliveryCounterDoc {
  _id: string;
  destinationId: string;
  workspaceId: string;
  /** Start of the minute or hour. */
  start: Date;
  outcome: string;
  reason: string;
  /** Events (see DeliveryReport.count). */
  count: number;
  /** Requests made (see DeliveryReport.attempts). */
  attempts?: number;
  /** h<i>: delivered events per latency bucket (see latency-histogram.ts; flat fields: FerretDB-safe). */
  [bucket: `h${number}`]: number;
  /** p<partition> → the last reports-topic offset counted here (see record). */
  applied?: Record<string, number>;
}

/**
 * The delivery reports of the translators, added up per destination instance, outcome and reason
 * per minute (`delivery_counts_minute`) and per hour (`delivery_counts_hour`). The report
 * consumer is the only writer.
 */
export class DeliveryCounters {
  private readonly collections: Record<Period, Collection<DeliveryCounterDoc>>;

  constructor(db: Db) {
    this.collections = {
      minute: db.collection('delivery_counts_minute'),
      hour: db.collection('delivery_counts_hour'),
    };
  }

  async ensureIndexes(): Promise<void> {
    for (const collection of Object.values(this.collections)) {
      await collection.createIndex({ destinationId: 1, start: 1 }, { name: 'by_destination_start' });
    }
  }

  /**
   * Adds the reports of one reports-topic message (read at `position`) to the counters of each
   * period, idempotently: each counter remembers the last offset it took from each partition and
   * refuses an offset it has already taken, in the same single-document update. A report read
   * again after a crash or a rebalance, before its offset was committed, is then not counted
   * twice. (MongoDB applies that update atomically; FerretDB does not against concurrent writers,
   * which one consumer, updating one counter at a time, never is.)
   */
  async record(reports: readonly DeliveryReport[], position: ReportPosition): Promise<void> {
    for (const period of Object.keys(this.collections) as Period[]) {
      await this.recordPeriod(period, reports, position);
    }
  }

  private async recordPeriod(
    period: Period,
    reports: readonly DeliveryReport[],
    position: ReportPosition,
  ): Promise<void> {
    const size = PERIOD_MS[period];
    const updates = new Map<string, { report: DeliveryReport; start: Date; inc: Record<string, number> }>();
    for (const r of reports) {
      const start = new Date(Math.floor(new Date(r.at).getTime() / size) * size);
      const id = `${r.destinationId}|${start.toISOString()}|${r.outcome}|${r.reason ?? ''}`;
      // One update per counter per message: a second one with the same offset would be refused.
      let update = updates.get(id);
      if (!update) updates.set(id, (update = { report: r, start, inc: {} }));
      update.inc['count'] = (update.inc['count'] ?? 0) + r.count;
      if (r.attempts) update.inc['attempts'] = (update.inc['attempts'] ?? 0) + r.attempts;
      for (const ms of r.latenciesMs ?? []) {
        const key = bucketField(latencyBucket(ms));
        update.inc[key] = (update.inc[key] ?? 0) + 1;
      }
    }
    const collection = this.collections[period];
    for (const [id, { report: r, start, inc }] of updates) {
      const setOnInsert = {
        destinationId: r.destinationId,
        workspaceId: r.workspaceId,
        start,
        outcome: r.outcome,
        reason: r.reason ?? '',
      };
      const mark = `applied.p${position.partition}`;
      const offset = Number(position.offset);
      const filter = { _id: id, $or: [{ [mark]: { $exists: false } }, { [mark]: { $lt: offset } }] };
      const update = { $inc: inc, $set: { [mark]: offset }, $setOnInsert: setOnInsert };
      try {
        await collection.updateOne(filter, update, { upsert: true });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        // The upsert's insert collided: the counter exists, and either it has taken this offset
        // already or another replica created it a moment ago. Updating it without the insert
        // tells them apart (no match: already counted).
        await collection.updateOne(filter, update);
      }
    }
  }

  /**
   * Counts one request the mapping tester sent, under the outcome `test` with the kit's
   * classification as its reason (delivered, retry, drop, dead-letter): readers show these apart
   * and never add them to the data plane's counts. No reports-topic offset guards it: the
   * control plane counts it once, right after sending.
   */
  async recordTest(destination: { _id: string; workspaceId: string }, outcome: string, at: Date): Promise<void> {
    for (const period of Object.keys(this.collections) as Period[]) {
      const start = periodStart(at, period);
      const filter = { _id: `${destination._id}|${start.toISOString()}|${TEST_OUTCOME}|${outcome}` };
      const update = {
        $inc: { count: 1 },
        $setOnInsert: {
          destinationId: destination._id,
          workspaceId: destination.workspaceId,
          start,
          outcome: TEST_OUTCOME,
          reason: outcome,
        },
      };
      try {
        await this.collections[period].updateOne(filter, update, { upsert: true });
      } catch (error) {
        // Two upserts raced to insert it: the counter exists now.
        if (!isDuplicateKeyError(error)) throw error;
        await this.collections[period].updateOne(filter, { $inc: update.$inc });
      }
    }
  }

  /** The counters of one destination from `since` (inclusive), per `period`. */
  find(period: Period, destinationId: string, since: Date): Promise<DeliveryCounterDoc[]> {
    return this.collections[period].find({ destinationId, start: { $gte: since } }).toArray();
  }

  /** Deletes counters older than their retention. */
  async sweep(now: Date): Promise<number> {
    let deleted = 0;
    for (const period of Object.keys(this.collections) as Period[]) {
      const cutoff = new Date(now.getTime() - COUNTER_RETENTION_MS[period]);
      deleted += (await this.collections[period].deleteMany({ start: { $lt: cutoff } })).deletedCount;
    }
    return deleted;
  }
}

/** The start of the period holding `at`. */
export function periodStart(at: Date, period: Period | 'day'): Date {
  const size = period === 'day' ? 86_400_000 : PERIOD_MS[period];
  return new Date(Math.floor(at.getTime() / size) * size);
}
