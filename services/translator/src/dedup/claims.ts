import { MongoBulkWriteError, type Collection, type Db } from 'mongodb';
import type { Logger } from '@manifold/logger';

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
 * window; FerretDB has no TTL indexes, so a periodic deleteMany removes them.
 */
export class MessageClaims {
  private readonly claims: Collection<ClaimDocument>;
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(
    db: Db,
    private readonly options: MessageClaimsOptions,
  ) {
    this.claims = db.collection<ClaimDocument>(options.collection ?? 'translator_message_claims');
  }

  /** Creates the index the sweeper uses and starts sweeping. */
  async start(): Promise<void> {
    await this.claims.createIndex({ claimedAt: 1 }, { name: 'claimed_at' });
    await this.sweep();
    this.sweeper = setInterval(() => void this.sweep(), this.options.sweepIntervalMs);
    this.sweeper.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    await this.sweeping;
  }

  /** For each request, true when it may be delivered (a fresh claim, or this event's own claim). */
  async claim(requests: readonly ClaimRequest[]): Promise<boolean[]> {
    if (requests.length === 0) return [];
    const claimedAt = new Date();
    const documents = requests.map((r) => ({ _id: claimId(r), origin: r.origin, claimedAt }));
    const duplicates = new Set<number>();
    try {
      await this.claims.insertMany(documents, { ordered: false });
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) throw error;
      const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
      for (const writeError of writeErrors) {
        // Anything but a duplicate key leaves the outcome unknown: fail the batch, it is redelivered.
        if (writeError.code !== 11000) throw error;
        duplicates.add(writeError.index);
      }
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

function claimId(request: ClaimRequest): string {
  return `${request.destinationId}|${request.messageId}`;
}
