import { createHash } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { isDuplicateKeyError } from '@manifold/mongo';
import type { ChangeKind } from '@manifold/warehouse';
import { MAX_FAILED_ROW_SAMPLES, type ReverseEtlRun, type RunFailedRow } from './records';
import type { RunDeliveryTally } from './run-deliveries';

/**
 * A run's delivery outcomes as counted from one partition of the reports topic. Kept apart from
 * the run's own record, one document per run and partition, so that each has one writer (the
 * consumer of that partition): FerretDB applies an update as a read and a write, so the runner's
 * updates of a run and a consumer's counts on one document could undo each other.
 */
interface RunDeliveriesDoc {
  _id: string;
  runId: string;
  /** The last reports-topic offset of this partition counted here (absent on a refused row's document). */
  offset?: number;
  /** A row change the runner could not publish (RefusedRowChange), counted by the runner itself. */
  refused?: true;
  counts?: ReverseEtlRun['deliveries'];
  failedRows?: RunFailedRow[];
}

/**
 * A row change the runner could not publish at all (its event is larger than the events topic
 * takes): dead-lettered at once at every destination instance that takes its kind, with the
 * reason, and never retried.
 */
export interface RefusedRowChange {
  key: string;
  changeKind: ChangeKind;
  destinationIds: readonly string[];
  reason: string;
  message: string;
  at: string;
}

/** What a run's deliveries came to, all partitions together. */
export type RunDeliveryTotals = Pick<ReverseEtlRun, 'deliveries' | 'failedRows'>;

/** The runs' delivery outcomes (`reverse_etl_run_deliveries`), counted once per report. */
export class RunDeliveryRecords {
  private readonly docs: Collection<RunDeliveriesDoc>;

  constructor(db: Db) {
    this.docs = db.collection('reverse_etl_run_deliveries');
  }

  async ensureIndexes(): Promise<void> {
    await this.docs.createIndex({ runId: 1 });
  }

  /**
   * Counts one reports-topic message's outcomes for a run, once: applied only while the
   * partition's document is below the message's offset, so a report read again is not counted
   * twice. Failed rows fill up to MAX_FAILED_ROW_SAMPLES per partition (readers keep the first
   * MAX_FAILED_ROW_SAMPLES of all).
   */
  async record(runId: string, tally: RunDeliveryTally, position: { partition: number; offset: string }): Promise<void> {
    const _id = `${runId}|p${position.partition}`;
    const current = await this.docs.findOne({ _id }, { projection: { failedRows: 1 } });
    const room = Math.max(0, MAX_FAILED_ROW_SAMPLES - (current?.failedRows?.length ?? 0));
    const samples = tally.failedRows.slice(0, room);
    const inc: Record<string, number> = {};
    for (const [kind, outcomes] of Object.entries(tally.counts)) {
      for (const [outcome, n] of Object.entries(outcomes)) if (n) inc[`counts.${kind}.${outcome}`] = n;
    }
    const offset = Number(position.offset);
    const filter = { _id, $or: [{ offset: { $exists: false } }, { offset: { $lt: offset } }] };
    const update = {
      $set: { runId, offset },
      ...(Object.keys(inc).length > 0 ? { $inc: inc } : {}),
      ...(samples.length > 0 ? { $push: { failedRows: { $each: samples } } } : {}),
    };
    try {
      await this.docs.updateOne(filter, update, { upsert: true });
    } catch (error) {
      // The document exists at this offset or beyond (already counted), or was just inserted.
      if (!isDuplicateKeyError(error)) throw error;
      await this.docs.updateOne(filter, update);
    }
  }

  /**
   * Counts refused row changes as dead-lettered, each once however often its page is published
   * again (a resumed run refuses the same rows again): one document per run and row change.
   */
  async recordRefused(runId: string, rows: readonly RefusedRowChange[]): Promise<void> {
    for (const row of rows) {
      const { key, changeKind, reason, message, at } = row;
      const id = createHash('sha256')
        .update(JSON.stringify([changeKind, key]))
        .digest('hex')
        .slice(0, 32);
      const doc: RunDeliveriesDoc = {
        _id: `${runId}|refused|${id}`,
        runId,
        refused: true,
        counts: { [changeKind]: { deadLettered: row.destinationIds.length } },
        failedRows: row.destinationIds
          .slice(0, MAX_FAILED_ROW_SAMPLES)
          .map((destinationId) => ({ key, changeKind, destinationId, outcome: 'deadLettered', reason, message, at })),
      };
      try {
        await this.docs.insertOne(doc);
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    }
  }

  /** The outcomes recordRefused counted for a run, all kinds together. */
  async refusedOutcomes(runId: string): Promise<number> {
    let outcomes = 0;
    for (const doc of await this.docs.find({ runId, refused: true }).toArray()) {
      for (const counts of Object.values(doc.counts ?? {})) outcomes += counts.deadLettered ?? 0;
    }
    return outcomes;
  }

  /** The totals of each of the runs (those with no outcome yet are absent). */
  async totals(runIds: readonly string[]): Promise<Map<string, RunDeliveryTotals>> {
    const totals = new Map<string, Required<RunDeliveryTotals>>();
    if (runIds.length === 0) return totals;
    for (const doc of await this.docs.find({ runId: { $in: [...runIds] } }).toArray()) {
      let total = totals.get(doc.runId);
      if (!total) {
        total = { deliveries: {}, failedRows: [] };
        totals.set(doc.runId, total);
      }
      for (const [kind, outcomes] of Object.entries(doc.counts ?? {})) {
        const sum = (total.deliveries[kind as keyof typeof total.deliveries] ??= {});
        for (const [outcome, n] of Object.entries(outcomes)) {
          sum[outcome as keyof typeof sum] = (sum[outcome as keyof typeof sum] ?? 0) + n;
        }
      }
      total.failedRows.push(...(doc.failedRows ?? []));
    }
    for (const total of totals.values()) {
      total.failedRows = total.failedRows.sort((a, b) => a.at.localeCompare(b.at)).slice(0, MAX_FAILED_ROW_SAMPLES);
    }
    return totals;
  }

  async forget(runIds: readonly string[]): Promise<void> {
    if (runIds.length > 0) await this.docs.deleteMany({ runId: { $in: [...runIds] } });
  }
}
