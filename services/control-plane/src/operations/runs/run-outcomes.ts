import type { DeliveryReport } from '@manifold/events';
import { isDuplicateKeyError } from '@manifold/mongo';
import type { RunOutcomes as RunOutcomesMessage } from '@manifold/proto';
import type { Collection, Db } from 'mongodb';

interface RunOutcomeDoc {
  _id: string;
  runId: string;
  outcome: string;
  reason: string;
  count: number;
  at: Date;
  /** p<partition> → the last reports-topic offset counted here. */
  applied?: Record<string, number>;
}

const COUNTED = ['delivered', 'retried', 'failed', 'filtered'] as const;

/**
 * What the deliveries of each redrive and replay came to, from the translators' delivery
 * reports (those that name a run). Each counter remembers the last reports-topic offset it took
 * per partition, so a report read again is not counted twice.
 */
export class RunOutcomes {
  private readonly counters: Collection<RunOutcomeDoc>;

  constructor(db: Db) {
    this.counters = db.collection('run_outcomes');
  }

  async ensureIndexes(): Promise<void> {
    await this.counters.createIndex({ runId: 1 }, { name: 'by_run' });
  }

  async record(reports: readonly DeliveryReport[], position: { partition: number; offset: string }): Promise<void> {
    for (const report of reports) {
      if (!report.runId || !(COUNTED as readonly string[]).includes(report.outcome)) continue;
      const reason = report.reason ?? '';
      const _id = `${report.runId}|${report.outcome}|${reason}`;
      const mark = `applied.p${position.partition}`;
      const offset = Number(position.offset);
      const filter = { _id, $or: [{ [mark]: { $exists: false } }, { [mark]: { $lt: offset } }] };
      const update = {
        $inc: { count: report.count },
        $set: { [mark]: offset, at: new Date() },
        $setOnInsert: { runId: report.runId, outcome: report.outcome, reason },
      };
      try {
        await this.counters.updateOne(filter, update, { upsert: true });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        await this.counters.updateOne(filter, update);
      }
    }
  }

  async of(runId: string): Promise<RunOutcomesMessage> {
    const docs = await this.counters.find({ runId }).toArray();
    const totals = { delivered: 0, retrying: 0, failed: 0, filtered: 0 };
    for (const doc of docs) {
      if (doc.outcome === 'retried') totals.retrying += doc.count;
      else if (doc.outcome in totals) totals[doc.outcome as keyof typeof totals] += doc.count;
    }
    const reasons = docs
      .filter((d) => d.reason !== '')
      .map((d) => ({ outcome: d.outcome === 'retried' ? 'retrying' : d.outcome, reason: d.reason, count: d.count }))
      .sort((a, b) => b.count - a.count);
    return { ...totals, reasons };
  }

  async forget(runIds: readonly string[]): Promise<void> {
    if (runIds.length > 0) await this.counters.deleteMany({ runId: { $in: [...runIds] } });
  }
}
