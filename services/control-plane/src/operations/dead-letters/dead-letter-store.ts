import type { DeadLetterRecord, SpecEvent } from '@manifold/events';
import { isDuplicateKeyError } from '@manifold/mongo';
import type { DeadLetter, HttpRequestSample, HttpResponseSample } from '@manifold/proto';
import type { Collection, Db, Filter } from 'mongodb';
import { requestSample, responseSample } from '../../domain/http-samples';

/** Where a dead letter was read: its id, `<topic>/<partition>/<offset>`. */
export interface DeadLetterPosition {
  topic: string;
  partition: number;
  offset: string;
}

/** One dead letter of one destination instance, as browsed and redriven. */
export interface DeadLetterDoc {
  _id: string;
  workspaceId: string;
  destinationId: string;
  destinationType: string;
  sourceId: string;
  reason: string;
  message: string;
  messageId: string;
  eventType: string;
  eventName: string;
  attempts: number;
  firstAttemptAt?: Date;
  failedAt: Date;
  /** Masked by the translator before it was dead-lettered. */
  lastRequest?: HttpRequestSample;
  lastResponse?: HttpResponseSample;
  /** The event as JSON: its property names may hold what MongoDB field names may not ('$', '.'). */
  eventJson: string;
  /** The messageId claim's origin (see Redelivery). */
  origin: string;
  /** The mappings that had delivered the event (see DeadLetterRecord): a redrive skips them. */
  deliveredMappings?: string[];
  /** Set when a redrive takes it; `sent` once it was published. */
  redrive?: { runId: string; at: Date; sent: boolean };
}

/** What to list or redrive: one instance's dead letters, by reason and time. */
export interface DeadLetterQuery {
  destinationId: string;
  reason?: string;
  failedFrom?: Date;
  failedTo?: Date;
  includeRedriven?: boolean;
}

/**
 * The dead letters of every destination instance, indexed from the dead-letter topics for
 * browsing and redrive. Kept until the dead-letter retention has passed (a sweep deletes them:
 * FerretDB has no TTL indexes).
 */
export class DeadLetterStore {
  readonly docs: Collection<DeadLetterDoc>;

  constructor(db: Db) {
    this.docs = db.collection('dead_letters');
  }

  async ensureIndexes(): Promise<void> {
    await this.docs.createIndex({ destinationId: 1, failedAt: -1 }, { name: 'by_destination_time' });
  }

  /** Stores a dead letter read from Kafka; one read again is stored once. */
  async add(record: DeadLetterRecord, position: DeadLetterPosition): Promise<void> {
    if (!record.destinationId || !record.workspaceId || !record.event) return;
    const event: SpecEvent = record.event;
    const failedAt = new Date(record.failedAt);
    const response = record.lastResponse;
    const request = record.lastRequest;
    const doc: DeadLetterDoc = {
      _id: `${position.topic}/${position.partition}/${position.offset}`,
      workspaceId: record.workspaceId,
      destinationId: record.destinationId,
      destinationType: record.destinationType,
      sourceId: record.sourceId ?? '',
      reason: record.reason,
      message: record.message,
      messageId: event.messageId,
      eventType: event.type,
      eventName: event.type === 'track' && typeof event.event === 'string' ? event.event : '',
      attempts: record.attempts,
      ...(record.firstAttemptAt ? { firstAttemptAt: new Date(record.firstAttemptAt) } : {}),
      failedAt: Number.isNaN(failedAt.getTime()) ? new Date() : failedAt,
      ...(request ? { lastRequest: requestSample({ ...request, body: request.body ?? request.bodyExcerpt }) } : {}),
      ...(response
        ? {
            lastResponse: responseSample(
              'error' in response
                ? response
                : { status: response.status, headers: response.headers, body: response.bodyExcerpt },
            ),
          }
        : {}),
      eventJson: JSON.stringify(event),
      origin: record.origin,
      ...(record.deliveredMappings?.length ? { deliveredMappings: record.deliveredMappings } : {}),
    };
    try {
      await this.docs.insertOne(doc);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  filter(query: DeadLetterQuery): Filter<DeadLetterDoc> {
    const failedAt: Record<string, Date> = {};
    if (query.failedFrom) failedAt['$gte'] = query.failedFrom;
    if (query.failedTo) failedAt['$lte'] = query.failedTo;
    return {
      destinationId: query.destinationId,
      ...(query.reason ? { reason: query.reason } : {}),
      ...(Object.keys(failedAt).length > 0 ? { failedAt } : {}),
      ...(query.includeRedriven ? {} : { redrive: { $exists: false } }),
    } as Filter<DeadLetterDoc>;
  }

  /** Newest first, `limit` from `skip`. */
  async list(query: DeadLetterQuery, skip: number, limit: number): Promise<{ docs: DeadLetterDoc[]; total: number }> {
    const filter = this.filter(query);
    const [docs, total] = await Promise.all([
      this.docs.find(filter).sort({ failedAt: -1, _id: 1 }).skip(skip).limit(limit).toArray(),
      this.docs.countDocuments(filter),
    ]);
    return { docs, total };
  }

  async get(destinationId: string, id: string): Promise<DeadLetterDoc | null> {
    return this.docs.findOne({ _id: id, destinationId });
  }

  /** Dead letters not yet redriven, per reason. */
  async waitingByReason(destinationId: string): Promise<Array<{ reason: string; count: number }>> {
    const docs = await this.docs
      .find({ destinationId, redrive: { $exists: false } }, { projection: { reason: 1 } })
      .toArray();
    const counts = new Map<string, number>();
    for (const d of docs) counts.set(d.reason, (counts.get(d.reason) ?? 0) + 1);
    return [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count);
  }

  /**
   * Takes dead letters for a redrive: of `ids`, those no redrive has taken yet. Returns those this
   * run holds (including any it took before a restart and has not sent yet).
   */
  async take(runId: string, destinationId: string, ids: readonly string[], at: Date): Promise<DeadLetterDoc[]> {
    if (ids.length === 0) return [];
    await this.docs.updateMany(
      { _id: { $in: [...ids] }, destinationId, redrive: { $exists: false } },
      { $set: { redrive: { runId, at, sent: false } } },
    );
    return this.docs.find({ _id: { $in: [...ids] }, 'redrive.runId': runId, 'redrive.sent': false }).toArray();
  }

  /** What a run took and has not sent yet (after a restart). */
  async takenNotSent(runId: string, limit: number): Promise<DeadLetterDoc[]> {
    return this.docs.find({ 'redrive.runId': runId, 'redrive.sent': false }).limit(limit).toArray();
  }

  /** Gives back what a stopped run took and did not send; how many it gave back. */
  async release(runId: string): Promise<number> {
    const result = await this.docs.updateMany(
      { 'redrive.runId': runId, 'redrive.sent': false },
      { $unset: { redrive: '' } },
    );
    return result.modifiedCount;
  }

  async markSent(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.docs.updateMany({ _id: { $in: [...ids] } }, { $set: { 'redrive.sent': true } });
  }

  /** Ids of dead letters matching the query, oldest first, never redriven. */
  async candidates(query: DeadLetterQuery, limit: number): Promise<string[]> {
    const docs = await this.docs
      .find(this.filter({ ...query, includeRedriven: false }), { projection: { _id: 1 } })
      .sort({ failedAt: 1, _id: 1 })
      .limit(limit)
      .toArray();
    return docs.map((d) => d._id);
  }

  async sweep(before: Date): Promise<number> {
    return (await this.docs.deleteMany({ failedAt: { $lt: before } })).deletedCount;
  }
}

export function toDeadLetter(doc: DeadLetterDoc): DeadLetter {
  return {
    id: doc._id,
    destinationId: doc.destinationId,
    destinationType: doc.destinationType,
    sourceId: doc.sourceId,
    reason: doc.reason,
    message: doc.message,
    messageId: doc.messageId,
    eventType: doc.eventType,
    eventName: doc.eventName,
    attempts: doc.attempts,
    firstAttemptAt: doc.firstAttemptAt,
    failedAt: doc.failedAt,
    lastRequest: doc.lastRequest,
    lastResponse: doc.lastResponse,
    eventJson: doc.eventJson,
    redriveId: doc.redrive?.runId ?? '',
    redrivenAt: doc.redrive?.at,
  };
}
