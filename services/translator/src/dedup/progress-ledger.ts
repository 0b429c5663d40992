import { ObjectId, type Collection, type Db, type Document } from 'mongodb';
import type { Logger } from '@manifold/logger';
import { isDuplicateKeyError } from '@manifold/mongo';
import { Expiry } from './expiry';
import type { StoreWaiter } from './store-waiter';

/**
 * One record of what a consumer did with a range of offsets of one partition.
 * `taken`: the range was read and its events were about to be claimed.
 */
interface ProgressRecord {
  _id: ObjectId;
  /** `<consumer group>|<topic>|<partition>` */
  stream: string;
  kind: 'taken';
  /** First and last offset of the range. */
  from: number;
  to: number;
  at: Date;
}

export interface ProgressLedgerOptions {
  /** Records older than this are deleted (they outlive no claim). */
  windowMs: number;
  sweepIntervalMs: number;
  waiter: StoreWaiter;
  logger: Logger;
  collection?: string;
}

/** How often records below a committed offset are deleted. */
const PRUNE_INTERVAL_MS = 5000;

/** What this process knows of a stream's records, and from which group assignment. */
interface StreamRecords {
  assignment: number;
  records: ProgressRecord[];
}

/**
 * What each consumer did with the offsets of a partition past its group's committed offset, kept
 * in MongoDB (collection `translator_read_progress`) so that whoever reads those offsets again (the
 * same member after a failed commit, another after a rebalance or a crash) can tell an event it
 * has seen before from one it has not.
 *
 * Records are appended, never updated (on FerretDB 1.x an update by `_id` scans the collection,
 * and concurrent writers cannot lose each other's records), and deleted once the group has
 * committed past them. A member reads a partition's records when it gets a batch of a partition
 * it has not read in its current assignment; otherwise what it wrote itself is all there is.
 */
export class ProgressLedger {
  private readonly records: Collection<ProgressRecord>;
  private readonly expiry: Expiry;
  private readonly streams = new Map<string, StreamRecords>();
  private obsolete: ObjectId[] = [];
  private pruner: NodeJS.Timeout | undefined;
  private pruning: Promise<void> | undefined;

  constructor(
    db: Db,
    private readonly options: ProgressLedgerOptions,
  ) {
    this.records = db.collection<ProgressRecord>(options.collection ?? 'translator_read_progress');
    this.expiry = new Expiry(this.records as unknown as Collection<Document>, {
      windowMs: options.windowMs,
      sweepIntervalMs: options.sweepIntervalMs,
      field: 'at',
      indexName: 'at_ttl',
      what: 'read-progress records',
      logger: options.logger,
    });
  }

  async start(): Promise<void> {
    await this.records.createIndex({ stream: 1 }, { name: 'stream' });
    await this.expiry.start();
    this.pruner = setInterval(() => void this.prune(), PRUNE_INTERVAL_MS);
    this.pruner.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.pruner);
    this.pruner = undefined;
    await this.expiry.stop();
    await this.prune();
  }

  /**
   * The ledger of one batch: `stream` is its partition (`<group>|<topic>|<partition>`),
   * `assignment` the consumer's current group assignment, `first` the batch's first offset (where
   * the group's committed offset stands: every record wholly before it is done with).
   */
  batch(stream: string, assignment: number, first: string, keepGoing: () => boolean): BatchLedger {
    return new BatchLedger(this, stream, assignment, Number(first), keepGoing);
  }

  /** The stream's records from before this batch; records before `first` are dropped. */
  async load(stream: string, assignment: number, first: number, keepGoing: () => boolean): Promise<ProgressRecord[]> {
    let known = this.streams.get(stream);
    if (!known || known.assignment !== assignment) {
      const records = await this.options.waiter.run(
        'read progress',
        () => this.records.find({ stream }).toArray(),
        keepGoing,
      );
      known = { assignment, records };
      this.streams.set(stream, known);
    }
    const current: ProgressRecord[] = [];
    for (const record of known.records) {
      if (record.to < first) this.obsolete.push(record._id);
      else current.push(record);
    }
    known.records = current;
    return [...current];
  }

  /** Appends a record (waiting while MongoDB cannot take it). */
  async append(
    stream: string,
    assignment: number,
    record: Omit<ProgressRecord, '_id' | 'stream' | 'at'>,
    keepGoing: () => boolean,
  ): Promise<void> {
    const document: ProgressRecord = { _id: new ObjectId(), stream, at: new Date(), ...record };
    await this.options.waiter.run(
      'record progress',
      async () => {
        try {
          await this.records.insertOne(document);
        } catch (error) {
          // Written already by an attempt whose answer was lost.
          if (!isDuplicateKeyError(error)) throw error;
        }
      },
      keepGoing,
    );
    const known = this.streams.get(stream);
    if (known && known.assignment === assignment) known.records.push(document);
  }

  /** Deletes the records the group has committed past. */
  async prune(): Promise<void> {
    if (this.pruning || this.obsolete.length === 0) return;
    const ids = this.obsolete;
    this.obsolete = [];
    this.pruning = (async () => {
      try {
        await this.records.deleteMany({ _id: { $in: ids } });
      } catch (error) {
        this.obsolete.push(...ids);
        this.options.logger.warn({ err: error }, 'could not delete read-progress records');
      } finally {
        this.pruning = undefined;
      }
    })();
    await this.pruning;
  }
}

/** One batch's view of its partition's records, and the records it adds. */
export class BatchLedger {
  private before: ProgressRecord[] | undefined;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly ledger: ProgressLedger,
    private readonly stream: string,
    private readonly assignment: number,
    private readonly first: number,
    private readonly keepGoing: () => boolean,
  ) {}

  /** Reads what was recorded before this batch (once). */
  load(): Promise<void> {
    this.loading ??= this.ledger.load(this.stream, this.assignment, this.first, this.keepGoing).then((records) => {
      this.before = records;
    });
    return this.loading;
  }

  /** True when a read before this one took `offset` (its events may hold claims already). */
  takenBefore(offset: string): boolean {
    if (!this.before) throw new Error('BatchLedger.load() first');
    const at = Number(offset);
    return this.before.some((r) => r.kind === 'taken' && r.from <= at && at <= r.to);
  }

  /** Records that the offsets `from`..`to` are being claimed (before the first of their claims). */
  take(from: string, to: string): Promise<void> {
    return this.ledger.append(
      this.stream,
      this.assignment,
      { kind: 'taken', from: Number(from), to: Number(to) },
      this.keepGoing,
    );
  }
}
