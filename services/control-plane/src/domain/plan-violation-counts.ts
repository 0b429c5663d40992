import { isDuplicateKeyError } from '@manifold/mongo';
import type { PlanReport, ViolationCount, ViolationSample } from '@manifold/tracking-plans';
import type { Collection, Db } from 'mongodb';
import { upsert } from '../store/upsert';

const HOUR_MS = 3_600_000;
/** Samples kept per source, plan, event and rule: the latest ones. */
export const SAMPLES_PER_RULE = 20;

/** Where a report was read in the plan-reports topic: a report read again is not counted twice. */
export interface PlanReportPosition {
  partition: number;
  offset: string;
}

/** The key a count is filed under: which events broke which rule, where, and what became of them. */
interface ViolationKey {
  workspaceId: string;
  sourceId: string;
  planId: string;
  planVersion: number;
  eventType: string;
  eventName: string;
  rule: string;
  path: string;
  outcome: string;
}

/** Violations of one key in one hour. */
export interface ViolationCountDoc extends ViolationKey {
  _id: string;
  hour: Date;
  count: number;
  /** p<partition> → the last plan-reports offset counted here. */
  applied?: Record<string, number>;
}

export interface ViolationSampleDoc extends Omit<ViolationSample, 'at'> {
  _id: string;
  workspaceId: string;
  sourceId: string;
  planId: string;
  planVersion: number;
  eventType: string;
  eventName: string;
  rule: string;
  outcome: string;
  at: Date;
}

/**
 * Tracking-plan violations as ingestion reports them: counts per hour (`plan_violation_counts`,
 * upserts with $inc) and the latest samples per source, plan, event and rule
 * (`plan_violation_samples`). The plan-report consumer is the only writer.
 */
export class PlanViolationCounts {
  readonly counts: Collection<ViolationCountDoc>;
  readonly samples: Collection<ViolationSampleDoc>;

  constructor(db: Db) {
    this.counts = db.collection('plan_violation_counts');
    this.samples = db.collection('plan_violation_samples');
  }

  async ensureIndexes(): Promise<void> {
    await this.counts.createIndex({ planId: 1, hour: 1 }, { name: 'by_plan_hour' });
    await this.counts.createIndex({ sourceId: 1, hour: 1 }, { name: 'by_source_hour' });
    await this.samples.createIndex({ planId: 1, at: -1 }, { name: 'by_plan_time' });
    await this.samples.createIndex({ sourceId: 1, at: -1 }, { name: 'by_source_time' });
  }

  /**
   * Adds a report's counts to their hour (that of the report's `at`), idempotently like the
   * delivery counters: each counter remembers the last offset it took per partition and refuses
   * one it has taken already, in the same single-document update.
   */
  async record(report: PlanReport, position: PlanReportPosition): Promise<void> {
    const at = new Date(report.at);
    if (Number.isNaN(at.getTime())) return;
    const hour = new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
    const mark = `applied.p${position.partition}`;
    const offset = Number(position.offset);
    for (const violation of report.violations) {
      const key = keyOf(report, violation);
      const { sourceId, planId, planVersion, eventType, eventName, rule, path, outcome } = key;
      const _id = [sourceId, planId, planVersion, hour.toISOString(), eventType, eventName, rule, path, outcome].join(
        '|',
      );
      const filter = { _id, $or: [{ [mark]: { $exists: false } }, { [mark]: { $lt: offset } }] };
      const update = { $inc: { count: violation.count }, $set: { [mark]: offset }, $setOnInsert: { ...key, hour } };
      await upsert(this.counts, filter, update);
      for (const sample of violation.samples) await this.recordSample(key, sample);
    }
  }

  /** Stores a sample once (read again, it is the same `_id`) and forgets the oldest beyond the limit. */
  private async recordSample(key: ViolationKey, sample: ViolationSample): Promise<void> {
    const at = new Date(sample.at);
    if (Number.isNaN(at.getTime())) return;
    const _id = `${key.sourceId}|${key.planId}|${sample.messageId}|${key.rule}|${sample.path}`;
    try {
      await this.samples.insertOne({ ...key, ...sample, _id, at });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      return;
    }
    const same = {
      sourceId: key.sourceId,
      planId: key.planId,
      eventType: key.eventType,
      eventName: key.eventName,
      rule: key.rule,
    };
    const beyond = await this.samples
      .find(same, { projection: { _id: 1 } })
      .sort({ at: -1 })
      .skip(SAMPLES_PER_RULE)
      .toArray();
    if (beyond.length > 0) await this.samples.deleteMany({ _id: { $in: beyond.map((d) => d._id) } });
  }

  /** Deletes counts and samples older than `before` (FerretDB has no TTL indexes). */
  async sweep(before: Date): Promise<number> {
    const counts = await this.counts.deleteMany({ hour: { $lt: before } });
    const samples = await this.samples.deleteMany({ at: { $lt: before } });
    return counts.deletedCount + samples.deletedCount;
  }
}

function keyOf(report: PlanReport, v: ViolationCount): ViolationKey {
  return {
    workspaceId: report.workspaceId,
    sourceId: report.sourceId,
    planId: v.planId,
    planVersion: v.planVersion,
    eventType: v.eventType,
    eventName: v.eventName,
    rule: v.rule,
    path: v.path,
    outcome: v.outcome,
  };
}
