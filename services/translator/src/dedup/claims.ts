import { randomBytes } from 'node:crypto';
import { MongoBulkWriteError, type Collection, type Db, type Document } from 'mongodb';
import type { Logger } from '@manifold/logger';
import { Expiry } from './expiry';
import type { StoreWaiter } from './store-waiter';

const DUPLICATE_KEY = 11000;

/**
 * A claim that one event (messageId) has been taken for delivery to one destination instance, or
 * that one retry goes on with it after a read that handed it over.
 */
interface ClaimDocument {
  /** `<destinationInstanceId>|<messageId>`, or `retry|<destinationInstanceId>|<messageId>|<after>` */
  _id: string;
  /** The message that took it: `topic/partition/offset`. */
  origin: string;
  /** The claim() call that made it (its retries after a lost answer share it). */
  call?: string;
  claimedAt: Date;
  /** When the claim is forgotten: claimedAt plus the claim's window. */
  expiresAt: Date;
}

/**
 * What became of a claim: `new`, made now (by this call, maybe by an attempt of it whose answer
 * was lost); `own`, made earlier by the same message (its batch read again); `other`, held by
 * another message (a duplicate event, or another copy of a retry).
 */
export type ClaimAnswer = 'new' | 'own' | 'other';

export interface ClaimRequest {
  destinationId: string;
  messageId: string;
  /**
   * The message claiming: the events-topic message this delivery comes from (retries carry the
   * original one), or for a continuation, the retry message itself.
   */
  origin: string;
  /**
   * A continuation: the claim that this retry, and no copy of it, goes on after the read `after`
   * handed the event over (PendingRetry.from). Destination ids begin with `dst_`, so these never
   * meet a messageId claim.
   */
  after?: string;
  /**
   * True when this event (its origin) has certainly never been claimed before: a claim already
   * there then belongs to another event with the same messageId, a duplicate, and no read is
   * needed to know it. False when it may have been claimed by this very event (a batch read
   * again, a retry): the stored claim's origin decides.
   */
  fresh?: boolean;
  /**
   * How long this claim is kept, when not the store's window: a webhook source's (its app retries
   * for days), so that a retry after the store's window is still refused.
   */
  windowMs?: number;
}

export interface MessageClaimsOptions {
  /**
   * How long a claim is kept: a repeated messageId within this window is not delivered again.
   * Claims may ask for a window of their own (ClaimRequest.windowMs).
   */
  windowMs: number;
  /** The clock (tests move it). */
  now?: () => number;
  /** How often expired claims are deleted. */
  sweepIntervalMs: number;
  /** Retries claims that cannot be made until they can (deliveries wait meanwhile). */
  waiter: StoreWaiter;
  logger: Logger;
  collection?: string;
}

/**
 * At most one delivery per messageId and destination instance, across replicas and restarts.
 *
 * Before delivering a batch, each (instance, messageId) is claimed with one unordered
 * insertMany (one round trip). A duplicate key means the messageId was taken already: by another
 * event with the same messageId (a duplicate: not delivered), or by this very event earlier (same
 * Kafka origin: a batch read again, or a retry), which goes ahead. Which of the two is known
 * without reading anything for an event never claimed before (`fresh`); only the others read the
 * stored claims. On FerretDB 1.x every read or update by `_id` scans the whole collection (its
 * `_id` filter does not match its own unique index): the duplicate key of an insert is the one
 * indexed lookup it has, so the common case (a re-sent messageId) costs an insert and nothing else.
 *
 * A claim whose outcome is not known (MongoDB unreachable, a timeout) is never taken as granted:
 * it is tried again until the store answers, and the caller's delivery waits. Claims expire after
 * their window (each carries its expiry: a webhook source's claims outlive the store's window).
 */
export class MessageClaims {
  private readonly claims: Collection<ClaimDocument>;
  private readonly expiry: Expiry;
  private readonly now: () => number;

  constructor(
    db: Db,
    private readonly options: MessageClaimsOptions,
  ) {
    this.claims = db.collection<ClaimDocument>(options.collection ?? 'translator_message_claims');
    // FerretDB then keeps no secondary index on the claims: each costs it about half as much.
    this.now = options.now ?? Date.now;
    this.expiry = new Expiry(this.claims as unknown as Collection<Document>, {
      windowMs: options.windowMs,
      sweepIntervalMs: options.sweepIntervalMs,
      field: 'claimedAt',
      expiresAtField: 'expiresAt',
      now: this.now,
      indexName: 'expires_at_ttl',
      what: 'messageId claims',
      logger: options.logger,
    });
  }

  start(): Promise<void> {
    return this.expiry.start();
  }

  /** True when the server expires claims itself. */
  get expiresOnServer(): boolean {
    return this.expiry.onServer;
  }

  stop(): Promise<void> {
    return this.expiry.stop();
  }

  /** Deletes claims older than the window. */
  sweep(): Promise<void> {
    return this.expiry.sweep();
  }

  /**
   * What became of each claim (a message may be delivered unless `other`). Waits, trying again
   * with backoff, while the claims cannot be made; `keepGoing` false (the consumer is stopping)
   * ends the wait with StoppedWaitingError.
   */
  claim(requests: readonly ClaimRequest[], keepGoing: () => boolean = () => true): Promise<ClaimAnswer[]> {
    if (requests.length === 0) return Promise.resolve([]);
    const call = randomBytes(6).toString('hex');
    // After an attempt whose outcome is unknown, every claim may be this call's own.
    return this.options.waiter.run('claim', (failures) => this.claimOnce(requests, call, failures > 0), keepGoing);
  }

  private async claimOnce(
    requests: readonly ClaimRequest[],
    call: string,
    triedBefore: boolean,
  ): Promise<ClaimAnswer[]> {
    const now = this.now();
    const claimedAt = new Date(now);
    const documents = requests.map((r) => ({
      _id: claimId(r),
      origin: r.origin,
      call,
      claimedAt,
      expiresAt: new Date(now + (r.windowMs ?? this.options.windowMs)),
    }));
    const duplicates: number[] = [];
    try {
      await this.claims.insertMany(documents, { ordered: false });
    } catch (error) {
      // Only duplicate keys are an answer; anything else (the driver wraps network errors and
      // timeouts in MongoBulkWriteError too, with no write errors) leaves the claims unknown.
      duplicates.push(...duplicateIndexes(error, documents.length));
    }
    const answers = requests.map((): ClaimAnswer => 'new');
    const toRead: number[] = [];
    for (const index of duplicates) {
      if (requests[index]!.fresh && !triedBefore) answers[index] = 'other';
      else toRead.push(index);
    }
    if (toRead.length > 0) {
      const ids = toRead.map((index) => documents[index]!._id);
      const existing = await this.claims.find({ _id: { $in: ids } }).toArray();
      const holders = new Map(existing.map((d) => [d._id, d]));
      for (const index of toRead) {
        const document = documents[index]!;
        // The claim may have been swept between the insert and the read: then nobody else holds it.
        const holder = holders.get(document._id);
        if (holder && holder.origin !== document.origin) answers[index] = 'other';
        else if (holder && holder.call !== call) answers[index] = 'own';
      }
    }
    // Two requests of this batch for the same claim: only the first may go.
    const seen = new Set<string>();
    documents.forEach((document, index) => {
      if (answers[index] === 'other') return;
      if (seen.has(document._id)) answers[index] = 'other';
      seen.add(document._id);
    });
    return answers;
  }
}

/**
 * The documents an unordered insertMany refused as duplicates; throws the error itself when it
 * is anything else or does not account for every document (the outcome is then unknown).
 */
function duplicateIndexes(error: unknown, documentCount: number): number[] {
  if (!(error instanceof MongoBulkWriteError)) throw error;
  const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  const refused = writeErrors.filter((e) => e.code === DUPLICATE_KEY);
  const accounted = error.result.insertedCount + refused.length === documentCount;
  if (refused.length === 0 || refused.length !== writeErrors.length || !accounted) throw error;
  if (error.result.getWriteConcernError()) throw error;
  return refused.map((e) => e.index);
}

function claimId(request: ClaimRequest): string {
  const id = `${request.destinationId}|${request.messageId}`;
  return request.after === undefined ? id : `retry|${id}|${request.after}`;
}
