import { MongoBulkWriteError, MongoServerError, type Collection, type Db } from 'mongodb';
import type { Logger } from '@manifold/logger';
import type { StoreWaiter } from './store-waiter';

const TTL_INDEX = 'claimed_at_ttl';
/** MongoDB's NotImplemented (what FerretDB answers to expireAfterSeconds). */
const NOT_IMPLEMENTED = 238;
/** IndexOptionsConflict, IndexKeySpecsConflict. */
const INDEX_OPTIONS_CONFLICT = [85, 86];
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
 * Kafka origin: a redelivery after a crash, or a retry), which goes ahead. Claims expire after the
 * window: through a TTL index on MongoDB; FerretDB has none, so there a periodic deleteMany removes them.
 * A claim whose outcome is not known (MongoDB unreachable, a timeout) is never taken as granted:
 * it is tried again until the store answers, and the caller's delivery waits.
 */
export class MessageClaims {
  private readonly claims: Collection<ClaimDocument>;
  private sweeper: NodeJS.Timeout | undefined;
  private ttl = false;
  private sweeping: Promise<void> | undefined;

  constructor(
    db: Db,
    private readonly options: MessageClaimsOptions,
  ) {
    this.claims = db.collection<ClaimDocument>(options.collection ?? 'translator_message_claims');
  }

  /**
   * Expiry: a TTL index where the server has them (MongoDB), else a periodic deleteMany (FerretDB
   * 1.x has no TTL indexes). There the collection keeps no secondary index: each claim then costs
   * FerretDB about half as much, and a sweep every few minutes may scan.
   */
  async start(): Promise<void> {
    if (await this.createTtlIndex()) return;
    await this.sweep();
    this.sweeper = setInterval(() => void this.sweep(), this.options.sweepIntervalMs);
    this.sweeper.unref();
  }

  /** True when the server expires claims itself. */
  get expiresOnServer(): boolean {
    return this.ttl;
  }

  private async createTtlIndex(): Promise<boolean> {
    const expireAfterSeconds = Math.ceil(this.options.windowMs / 1000);
    try {
      await this.claims.createIndex({ claimedAt: 1 }, { name: TTL_INDEX, expireAfterSeconds });
      this.ttl = true;
    } catch (error) {
      if (error instanceof MongoServerError && error.code === NOT_IMPLEMENTED) {
        this.options.logger.info('no TTL indexes on this server: expired claims are deleted periodically');
        return false;
      }
      if (error instanceof MongoServerError && INDEX_OPTIONS_CONFLICT.includes(Number(error.code))) {
        // The window changed since the index was made: change the index, not the data.
        await this.claims.db.command({
          collMod: this.claims.collectionName,
          index: { name: TTL_INDEX, expireAfterSeconds },
        });
        this.ttl = true;
      } else {
        throw error;
      }
    }
    return true;
  }

  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    await this.sweeping;
  }

  /**
   * For each request, true when it may be delivered (a fresh claim, or this event's own claim).
   * Waits, trying again with backoff, while the claims cannot be made; `keepGoing` false (the
   * consumer is stopping) ends the wait with StoppedWaitingError.
   */
  claim(requests: readonly ClaimRequest[], keepGoing: () => boolean = () => true): Promise<boolean[]> {
    if (requests.length === 0) return Promise.resolve([]);
    return this.options.waiter.run('claim', () => this.claimOnce(requests), keepGoing);
  }

  private async claimOnce(requests: readonly ClaimRequest[]): Promise<boolean[]> {
    const claimedAt = new Date();
    const documents = requests.map((r) => ({ _id: claimId(r), origin: r.origin, claimedAt }));
    const duplicates = new Set<number>();
    try {
      await this.claims.insertMany(documents, { ordered: false });
    } catch (error) {
      // Only duplicate keys are an answer; anything else (the driver wraps network errors and
      // timeouts in MongoBulkWriteError too, with no write errors) leaves the claims unknown.
      for (const index of duplicateIndexes(error, documents.length)) duplicates.add(index);
    }
    const allowed = requests.map((_, index) => !duplicates.has(index));
    if (duplicates.size === 0) return allowed;
    const ids = [...duplicates].map((index) => documents[index]!._id);
    const existing = await this.claims.find({ _id: { $in: ids } }).toArray();
    const originOf = new Map(existing.map((d) => [d._id, d.origin]));
    for (const index of duplicates) {
      const document = documents[index]!;
      // The claim may have been swept between the insert and the read: then nobody else holds it.
      const holder = originOf.get(document._id);
      allowed[index] = holder === undefined || holder === document.origin;
    }
    // Two requests of this batch for the same claim: only the first may go.
    const seen = new Set<string>();
    documents.forEach((document, index) => {
      if (!allowed[index]) return;
      if (seen.has(`${document._id}|${document.origin}`)) allowed[index] = false;
      seen.add(`${document._id}|${document.origin}`);
    });
    return allowed;
  }

  /** Deletes claims older than the window. */
  async sweep(): Promise<void> {
    const run = (async () => {
      try {
        const cutoff = new Date(Date.now() - this.options.windowMs);
        const { deletedCount } = await this.claims.deleteMany({ claimedAt: { $lt: cutoff } });
        if (deletedCount > 0) this.options.logger.debug({ deletedCount }, 'expired messageId claims deleted');
      } catch (error) {
        this.options.logger.warn({ err: error }, 'could not delete expired messageId claims');
      }
    })();
    this.sweeping = run;
    await run;
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
