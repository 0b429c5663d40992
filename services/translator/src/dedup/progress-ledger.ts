import { randomBytes } from 'node:crypto';
import { ObjectId, type Collection, type Db, type Document } from 'mongodb';
import type { Logger } from '@manifold/logger';
import { isDuplicateKeyError } from '@manifold/mongo';
import { Expiry } from './expiry';
import type { StoreWaiter } from './store-waiter';

/**
 * One record of what a consumer did with a range of offsets of one partition.
 * `taken`: the range was read, or is about to be, and its events claimed (written ahead).
 * `finished`: these messages need nothing more for these destination instances (delivered,
 * refused as duplicates, or handed to a retry tier or the dead-letter topic).
 */
interface ProgressRecord {
  _id: ObjectId;
  /** `<consumer group>|<topic>|<partition>` */
  stream: string;
  kind: 'taken' | 'finished';
  /** Which process, in which group assignment, wrote it: `<process>/<assignment>`. */
  reader: string;
  /** First and last offset of the range. */
  from: number;
  to: number;
  /**
   * `finished`: per destination instance, the offsets as runs of consecutive ones, flattened:
   * `[first, last, first, last, …]` (FerretDB 1.x stores no nested arrays).
   */
  done?: Array<{ instance: string; runs: number[] }>;
  at: Date;
}

/** One message of a batch for one destination instance. */
export interface ReadItem {
  offset: string;
  instance: string;
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

/**
 * Offsets a *taken* record covers beyond the batch that writes it: the next batches of the
 * partition need none of their own until they pass it (one record per this many offsets, not per
 * batch). Another reader treats the whole range as maybe claimed: a re-sent messageId in it reads
 * the claims (FerretDB then scans them) until that reader has passed it.
 */
const TAKE_AHEAD = 2000;

/** What this process knows of a stream, from which group assignment. */
interface StreamRecords {
  assignment: number;
  records: ProgressRecord[];
  /** The last offset this process's reads have taken in this assignment (-1: none). */
  processedTo: number;
  /** The last offset its *taken* records cover (they run ahead of `processedTo`). */
  takenTo: number;
}

/** What a batch knows of the reads of its partition before it. */
export interface EarlierReads {
  records: ProgressRecord[];
  /** Reads of this process in this assignment took every offset up to this one. */
  processedTo: number;
  /** `reader` of this process's records in this assignment. */
  reader: string;
}

/**
 * What each consumer did with the offsets of a partition past its group's committed offset, kept
 * in MongoDB (collection `translator_read_progress`) so that whoever reads those offsets again (the
 * same member after a failed commit, another after a rebalance or a crash) can tell an event it
 * has seen before from one it has not, and skip what was finished.
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
  /** Per stream, the end of the last batch begun on it in this process. */
  private readonly active = new Map<string, Promise<void>>();
  private obsolete: ObjectId[] = [];
  private pruner: NodeJS.Timeout | undefined;
  private pruning: Promise<void> | undefined;
  private readonly process = randomBytes(6).toString('hex');

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
    const before = this.active.get(stream) ?? Promise.resolve();
    let end: () => void = () => undefined;
    const ended = new Promise<void>((resolve) => (end = resolve));
    this.active.set(stream, ended);
    void ended.then(() => {
      if (this.active.get(stream) === ended) this.active.delete(stream);
    });
    return new BatchLedger(this, stream, assignment, Number(first), keepGoing, before, end);
  }

  /** The stream's records from before this batch; records before `first` are dropped. */
  async load(stream: string, assignment: number, first: number, keepGoing: () => boolean): Promise<EarlierReads> {
    let known = this.streams.get(stream);
    if (!known || known.assignment !== assignment) {
      const records = await this.options.waiter.run(
        'read progress',
        () => this.records.find({ stream }).toArray(),
        keepGoing,
      );
      known = { assignment, records, processedTo: -1, takenTo: -1 };
      this.streams.set(stream, known);
    }
    const current: ProgressRecord[] = [];
    for (const record of known.records) {
      if (record.to < first) this.obsolete.push(record._id);
      else current.push(record);
    }
    known.records = current;
    return { records: [...current], processedTo: known.processedTo, reader: this.reader(assignment) };
  }

  /**
   * Records that a batch takes the offsets `from`..`to`, before their first claim: a *taken*
   * record reaching `TAKE_AHEAD` offsets further, unless one written earlier covers them.
   */
  async take(stream: string, assignment: number, from: number, to: number, keepGoing: () => boolean): Promise<void> {
    const known = this.streams.get(stream);
    if (!known || known.assignment !== assignment) throw new Error('ProgressLedger.take() before load()');
    if (known.takenTo < to) {
      await this.append(stream, assignment, { kind: 'taken', from, to: to + TAKE_AHEAD }, keepGoing);
      known.takenTo = Math.max(known.takenTo, to + TAKE_AHEAD);
    }
    known.processedTo = Math.max(known.processedTo, to);
  }

  private reader(assignment: number): string {
    return `${this.process}/${assignment}`;
  }

  /** Appends a record (waiting while MongoDB cannot take it). */
  async append(
    stream: string,
    assignment: number,
    record: Omit<ProgressRecord, '_id' | 'stream' | 'reader' | 'at'>,
    keepGoing: () => boolean,
  ): Promise<void> {
    const document: ProgressRecord = {
      _id: new ObjectId(),
      stream,
      reader: this.reader(assignment),
      at: new Date(),
      ...record,
    };
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
  private before: EarlierReads | undefined;
  /** Per instance, the offset runs earlier reads finished. */
  private finishedRuns = new Map<string, Array<[number, number]>>();
  private loading: Promise<void> | undefined;

  constructor(
    private readonly ledger: ProgressLedger,
    private readonly stream: string,
    private readonly assignment: number,
    private readonly first: number,
    private readonly keepGoing: () => boolean,
    /** The end of the batch of this stream begun before this one in this process. */
    private readonly previous: Promise<void>,
    private readonly ended: () => void,
  ) {}

  /**
   * Reads what was recorded before this batch (once), after the batch of the same partition
   * begun before it in this process has ended. kafkajs restarts a consumer that failed (a broker
   * gone for longer than its retries) without waiting for the batches in hand: the partition
   * is then read again while the old batch is still delivering, and what that one finishes is
   * only on record once it ends.
   */
  load(): Promise<void> {
    this.loading ??= this.previous
      .then(() => this.ledger.load(this.stream, this.assignment, this.first, this.keepGoing))
      .then((before) => {
        this.before = before;
        for (const record of before.records) {
          for (const done of record.done ?? []) {
            const known = this.finishedRuns.get(done.instance) ?? [];
            for (let i = 0; i + 1 < done.runs.length; i += 2) known.push([done.runs[i]!, done.runs[i + 1]!]);
            this.finishedRuns.set(done.instance, known);
          }
        }
      });
    return this.loading;
  }

  /** The batch is over (done or failed): a later batch of the partition may load. */
  end(): void {
    this.ended();
  }

  /** True when an earlier read finished this message for this instance: nothing is to be done again. */
  finishedBefore(offset: string, instance: string): boolean {
    if (!this.before) throw new Error('BatchLedger.load() first');
    const at = Number(offset);
    return this.finishedRuns.get(instance)?.some(([from, to]) => from <= at && at <= to) ?? false;
  }

  /** Records that these messages need nothing more for these instances (no-op when empty). */
  finish(items: readonly ReadItem[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    const offsetsOf = new Map<string, number[]>();
    for (const { instance, offset } of items) {
      const offsets = offsetsOf.get(instance) ?? [];
      offsets.push(Number(offset));
      offsetsOf.set(instance, offsets);
    }
    const done = [...offsetsOf].map(([instance, offsets]) => ({ instance, runs: runs(offsets).flat() }));
    const all = done.flatMap((d) => d.runs);
    return this.ledger.append(
      this.stream,
      this.assignment,
      { kind: 'finished', from: Math.min(...all), to: Math.max(...all), done },
      this.keepGoing,
    );
  }

  /**
   * True when a read before this one took `offset` (its events may hold claims already): one of
   * this process in this assignment (it knows how far its reads went), or any other reader whose
   * *taken* record covers it.
   */
  takenBefore(offset: string): boolean {
    const before = this.before;
    if (!before) throw new Error('BatchLedger.load() first');
    const at = Number(offset);
    if (at <= before.processedTo) return true;
    return before.records.some((r) => r.kind === 'taken' && r.reader !== before.reader && r.from <= at && at <= r.to);
  }

  /** Records that the offsets `from`..`to` are being claimed (before the first of their claims). */
  take(from: string, to: string): Promise<void> {
    return this.ledger.take(this.stream, this.assignment, Number(from), Number(to), this.keepGoing);
  }
}

/** Sorted offsets as [first, last] runs of consecutive ones. */
function runs(offsets: number[]): Array<[number, number]> {
  const sorted = [...new Set(offsets)].sort((a, b) => a - b);
  const result: Array<[number, number]> = [];
  for (const offset of sorted) {
    const last = result[result.length - 1];
    if (last && offset === last[1] + 1) last[1] = offset;
    else result.push([offset, offset]);
  }
  return result;
}
