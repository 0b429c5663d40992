import { MongoServerError, type Collection, type Document } from 'mongodb';
import type { Logger } from '@manifold/logger';

/** MongoDB's NotImplemented (what FerretDB answers to expireAfterSeconds). */
const NOT_IMPLEMENTED = 238;
/** IndexOptionsConflict, IndexKeySpecsConflict. */
const INDEX_OPTIONS_CONFLICT = [85, 86];

export interface ExpiryOptions {
  /** Documents whose `field` is older than this are deleted. */
  windowMs: number;
  /** How often they are deleted where the server has no TTL indexes. */
  sweepIntervalMs: number;
  /** A date field written with each document. */
  field: string;
  /** Name of the TTL index. */
  indexName: string;
  /** What the documents are, for the log. */
  what: string;
  logger: Logger;
  /**
   * A date field holding each document's own expiry, when documents differ in how long they are
   * kept: the TTL index and the sweep then use it, and `windowMs` only serves documents written
   * before it existed (given an expiry one window from the start).
   */
  expiresAtField?: string;
  /** The clock (tests move it). */
  now?: () => number;
}

/**
 * Deletes a collection's documents once they are older than a window: through a TTL index where
 * the server has them (MongoDB), else with a periodic deleteMany (FerretDB 1.x has no TTL indexes).
 */
export class Expiry {
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private ttl = false;
  private readonly now: () => number;

  constructor(
    private readonly collection: Collection<Document>,
    private readonly options: ExpiryOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async start(): Promise<void> {
    await this.dateLegacyDocuments();
    if (await this.createTtlIndex()) return;
    await this.sweep();
    this.sweeper = setInterval(() => void this.sweep(), this.options.sweepIntervalMs);
    this.sweeper.unref();
  }

  /** True when the server expires documents itself. */
  get onServer(): boolean {
    return this.ttl;
  }

  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    await this.sweeping;
  }

  /** Deletes the documents older than the window. */
  async sweep(): Promise<void> {
    const run = (async () => {
      try {
        const { expiresAtField, field, windowMs } = this.options;
        const filter = expiresAtField
          ? { [expiresAtField]: { $lt: new Date(this.now()) } }
          : { [field]: { $lt: new Date(this.now() - windowMs) } };
        const { deletedCount } = await this.collection.deleteMany(filter);
        if (deletedCount > 0) this.options.logger.debug({ deletedCount }, `expired ${this.options.what} deleted`);
      } catch (error) {
        this.options.logger.warn({ err: error }, `could not delete expired ${this.options.what}`);
      }
    })();
    this.sweeping = run;
    await run;
  }

  /**
   * Documents of the time before they carried their own expiry are given one, a window from now
   * (at least as long as they had left), so that the sweep and the TTL index on the expiry field
   * see them; the TTL index on their age, which would delete the longer-lived ones early, goes.
   */
  private async dateLegacyDocuments(): Promise<void> {
    const { expiresAtField, field, windowMs } = this.options;
    if (!expiresAtField) return;
    await this.collection.updateMany(
      { [expiresAtField]: { $exists: false } },
      { $set: { [expiresAtField]: new Date(this.now() + windowMs) } },
    );
    const indexes = await this.collection.indexes().catch(() => []);
    const ageIndex = indexes.find((index) => index.key[field] === 1 && index.expireAfterSeconds !== undefined);
    if (ageIndex?.name) await this.collection.dropIndex(ageIndex.name);
  }

  private async createTtlIndex(): Promise<boolean> {
    const { expiresAtField, indexName } = this.options;
    const field = expiresAtField ?? this.options.field;
    // With an expiry per document, each is deleted at its own time.
    const expireAfterSeconds = expiresAtField ? 0 : Math.ceil(this.options.windowMs / 1000);
    try {
      await this.collection.createIndex({ [field]: 1 }, { name: indexName, expireAfterSeconds });
      this.ttl = true;
    } catch (error) {
      if (error instanceof MongoServerError && error.code === NOT_IMPLEMENTED) {
        this.options.logger.info(
          `no TTL indexes on this server: expired ${this.options.what} are deleted periodically`,
        );
        return false;
      }
      if (error instanceof MongoServerError && INDEX_OPTIONS_CONFLICT.includes(Number(error.code))) {
        // The window changed since the index was made: change the index, not the data.
        await this.collection.db.command({
          collMod: this.collection.collectionName,
          index: { name: indexName, expireAfterSeconds },
        });
        this.ttl = true;
      } else {
        throw error;
      }
    }
    return true;
  }
}
