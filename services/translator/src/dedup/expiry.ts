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
}

/**
 * Deletes a collection's documents once they are older than a window: through a TTL index where
 * the server has them (MongoDB), else with a periodic deleteMany (FerretDB 1.x has no TTL indexes).
 */
export class Expiry {
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private ttl = false;

  constructor(
    private readonly collection: Collection<Document>,
    private readonly options: ExpiryOptions,
  ) {}

  async start(): Promise<void> {
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
        const cutoff = new Date(Date.now() - this.options.windowMs);
        const { deletedCount } = await this.collection.deleteMany({ [this.options.field]: { $lt: cutoff } });
        if (deletedCount > 0) this.options.logger.debug({ deletedCount }, `expired ${this.options.what} deleted`);
      } catch (error) {
        this.options.logger.warn({ err: error }, `could not delete expired ${this.options.what}`);
      }
    })();
    this.sweeping = run;
    await run;
  }

  private async createTtlIndex(): Promise<boolean> {
    const { field, indexName } = this.options;
    const expireAfterSeconds = Math.ceil(this.options.windowMs / 1000);
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
