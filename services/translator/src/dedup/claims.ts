import { MongoBulkWriteError, type Collection, type Db, type Document } from 'mongodb';
import type { Logger } from '@manifold/logger';
import { Expiry } from './expiry';
import type { StoreWaiter } from './store-waiter';

const DUPLICATE_KEY = 11000;

/** A claim that one event (messageId) has been taken for delivery to one destination instance. */
interface ClaimDocument {
  /** `<destinationInstanceId>|<messageId>` */
  _id: string;
  /** The events-topic message that took it: `topic/partition/offset`. */
  origin: string;
  claimedAt: Date;
}

export interface ClaimRequest {
  destinationId: string;
  messageId: string;
  /** The events-topic message this delivery comes from (retries carry the original one). */
  origin: string;
  /**
   * True when this event (its origin) has certainly never been claimed before: a claim already
   * there then belongs to another event with the same messageId, a duplicate, and no read is
   * needed to know it. False when it may have been claimed by this very event (a batch read
   * again, a retry): the stored claim's origin decides.
   */
  fresh?: boolean;
}

export interface MessageClaimsOptions {
  /** How long a claim is kept: a repeated messageId within this window is not delivered again. */
  windowMs: number;
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
 * the window.
 */
export class MessageClaims {
  private readonly claims: Collection<ClaimDocument>;
  private readonly expiry: Expiry;

  constructor(
    db: Db,
    private readonly options: MessageClaimsOptions,
  ) {
    this.claims = db.collection<ClaimDocument>(options.collection ?? 'translator_message_claims');
    // FerretDB then keeps no secondary index on the claims: each costs it about half as much.
    this.expiry = new Expiry(this.claims as unknown as Collection<Document>, {
      windowMs: options.windowMs,
      sweepIntervalMs: options.sweepIntervalMs,
      field: 'claimedAt',
      indexName: 'claimed_at_ttl',
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
   * For each request, true when it may be delivered (a fresh claim, or this event's own claim).
   * Waits, trying again with backoff, while the claims cannot be made; `keepGoing` false (the
   * consumer is stopping) ends the wait with StoppedWaitingError.
   */
  claim(requests: readonly ClaimRequest[], keepGoing: () => boolean = () => true): Promise<boolean[]> {
    if (requests.length === 0) return Promise.resolve([]);
    // After an attempt whose outcome is unknown, every claim may be this attempt's own.
    return this.options.waiter.run('claim', (failures) => this.claimOnce(requests, failures > 0), keepGoing);
  }

  private async claimOnce(requests: readonly ClaimRequest[], triedBefore: boolean): Promise<boolean[]> {
    const claimedAt = new Date();
    const documents = requests.map((r) => ({ _id: claimId(r), origin: r.origin, claimedAt }));
    const duplicates: number[] = [];
    try {
      await this.claims.insertMany(documents, { ordered: false });
    } catch (error) {
      // Only duplicate keys are an answer; anything else (the driver wraps network errors and
      // timeouts in MongoBulkWriteError too, with no write errors) leaves the claims unknown.
      duplicates.push(...duplicateIndexes(error, documents.length));
    }
    const allowed = requests.map(() => true);
    const toRead: number[] = [];
    for (const index of duplicates) {
      if (requests[index]!.fresh && !triedBefore) allowed[index] = false;
      else toRead.push(index);
    }
    if (toRead.length > 0) {
      const ids = toRead.map((index) => documents[index]!._id);
      const existing = await this.claims.find({ _id: { $in: ids } }).toArray();
      const originOf = new Map(existing.map((d) => [d._id, d.origin]));
      for (const index of toRead) {
        const document = documents[index]!;
        // The claim may have been swept between the insert and the read: then nobody else holds it.
        const holder = originOf.get(document._id);
        allowed[index] = holder === undefined || holder === document.origin;
      }
    }
    // Two requests of this batch for the same claim: only the first may go.
    const seen = new Set<string>();
    documents.forEach((document, index) => {
      if (!allowed[index]) return;
      if (seen.has(document._id)) allowed[index] = false;
      seen.add(document._id);
    });
    return allowed;
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
  return `${request.destinationId}|${request.messageId}`;
}
