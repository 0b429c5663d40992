import type { DeliverySample } from '@manifold/events';
import { isDuplicateKeyError } from '@manifold/mongo';
import type { DeliveryErrorSample } from '@manifold/proto';
import type { Collection, Db } from 'mongodb';
import { requestSample, responseSample } from './http-samples';

/** Samples kept per destination instance and reason: the latest ones. */
export const SAMPLES_PER_REASON = 20;
/** Samples older than this are deleted whatever their number (FerretDB has no TTL indexes). */
export const SAMPLE_RETENTION_MS = 8 * 24 * 3_600_000;

interface DeliverySampleDoc extends Omit<DeliverySample, 'at'> {
  _id: string;
  at: Date;
}

/**
 * The latest failed or retried attempts per destination instance and reason, as the translators
 * sampled them (already masked there). The report consumer is the only writer.
 */
export class DeliverySamples {
  private readonly samples: Collection<DeliverySampleDoc>;

  constructor(db: Db) {
    this.samples = db.collection('delivery_samples');
  }

  async ensureIndexes(): Promise<void> {
    await this.samples.createIndex({ destinationId: 1, at: -1 }, { name: 'by_destination_time' });
  }

  /** Stores a sample (a copy read again is stored once) and forgets the oldest beyond the limit. */
  async record(sample: DeliverySample): Promise<void> {
    const at = new Date(sample.at);
    if (Number.isNaN(at.getTime()) || !sample.destinationId || !sample.reason) return;
    const _id = `${sample.destinationId}|${sample.reason}|${at.toISOString()}|${sample.messageId}`;
    try {
      await this.samples.insertOne({ ...sample, _id, at });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      return;
    }
    const beyond = await this.samples
      .find({ destinationId: sample.destinationId, reason: sample.reason }, { projection: { _id: 1 } })
      .sort({ at: -1 })
      .skip(SAMPLES_PER_REASON)
      .toArray();
    if (beyond.length > 0) await this.samples.deleteMany({ _id: { $in: beyond.map((d) => d._id) } });
  }

  /** Newest first. */
  async list(
    destinationId: string,
    options: { reason?: string; limit: number; since?: Date },
  ): Promise<DeliveryErrorSample[]> {
    const filter = {
      destinationId,
      ...(options.reason ? { reason: options.reason } : {}),
      ...(options.since ? { at: { $gte: options.since } } : {}),
    };
    const docs = await this.samples.find(filter).sort({ at: -1 }).limit(options.limit).toArray();
    return docs.map(toProto);
  }

  /** The newest sample of each reason since `since`, newest first. */
  async latestPerReason(destinationId: string, since: Date): Promise<DeliveryErrorSample[]> {
    const docs = await this.samples
      .find({ destinationId, at: { $gte: since } })
      .sort({ at: -1 })
      .limit(500)
      .toArray();
    const seen = new Set<string>();
    return docs.filter((d) => !seen.has(d.reason) && seen.add(d.reason)).map(toProto);
  }

  async sweep(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - SAMPLE_RETENTION_MS);
    return (await this.samples.deleteMany({ at: { $lt: cutoff } })).deletedCount;
  }

  async deleteFor(destinationId: string): Promise<void> {
    await this.samples.deleteMany({ destinationId });
  }
}

function toProto(d: DeliverySampleDoc): DeliveryErrorSample {
  const response = d.response;
  return {
    id: d._id,
    at: d.at,
    outcome: d.outcome,
    reason: d.reason,
    message: d.message,
    messageId: d.messageId,
    eventType: d.eventType,
    eventName: d.eventName ?? '',
    attempt: d.attempt,
    request: d.request ? requestSample(d.request) : undefined,
    response: response ? responseSample(response) : undefined,
  };
}
