import { traceKeyHash, type TraceIndexMessage } from '@manifold/events';
import { isDuplicateKeyError } from '@manifold/mongo';
import { Binary, type Collection, type Db } from 'mongodb';

/**
 * Buckets of the index: a write makes at most this many documents whatever its events, and a
 * lookup reads one bucket's (1/64 of the index).
 */
export const TRACE_BUCKETS = 64;

/**
 * For one trace write and one bucket: which events (key hashes) the write's records hold, as
 * pairs (hash, record number) packed in a binary, and where the records are.
 */
interface TraceIndexDoc {
  _id: string;
  b: number;
  partition: number;
  baseOffset: string;
  at: Date;
  pairs: Binary;
}

/** A trace record's place in the traces topic. */
export interface TraceRecordPosition {
  partition: number;
  offset: string;
}

/**
 * Where each event's trace records are. Translators say it in one index message per write; it
 * is kept here in few documents (one per write and bucket, whatever the events), so keeping it
 * costs about nothing per event; a lookup reads the documents of the event's bucket. Kept as long
 * as the traces (a sweep deletes older ones: FerretDB has no TTL indexes).
 */
export class TraceIndex {
  private readonly docs: Collection<TraceIndexDoc>;

  constructor(db: Db) {
    this.docs = db.collection('event_trace_index');
  }

  async ensureIndexes(): Promise<void> {
    await this.docs.createIndex({ b: 1 }, { name: 'by_bucket' });
  }

  async add(message: TraceIndexMessage): Promise<void> {
    const byBucket = new Map<number, number[]>();
    for (let i = 0; i + 1 < message.keys.length; i += 2) {
      const hash = message.keys[i] as number;
      const record = message.keys[i + 1] as number;
      const bucket = hash % TRACE_BUCKETS;
      let pairs = byBucket.get(bucket);
      if (!pairs) byBucket.set(bucket, (pairs = []));
      pairs.push(hash, record);
    }
    const at = new Date(message.at);
    const docs = [...byBucket].map(([b, pairs]) => ({
      _id: `${message.partition}:${message.baseOffset}:${b}`,
      b,
      partition: message.partition,
      baseOffset: message.baseOffset,
      at,
      pairs: new Binary(packPairs(pairs)),
    }));
    if (docs.length === 0) return;
    try {
      await this.docs.insertMany(docs, { ordered: false });
    } catch (error) {
      // A message read again: its documents are there already.
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  /** The trace records that may hold the event (a hash collision only costs reading one more). */
  async positions(workspaceId: string, messageId: string): Promise<TraceRecordPosition[]> {
    const hash = traceKeyHash(workspaceId, messageId);
    const docs = await this.docs.find({ b: hash % TRACE_BUCKETS }).toArray();
    const positions: TraceRecordPosition[] = [];
    for (const doc of docs) {
      const bytes = Buffer.from(doc.pairs.buffer);
      for (let at = 0; at + 8 <= bytes.length; at += 8) {
        if (bytes.readUInt32LE(at) !== hash) continue;
        const record = BigInt(bytes.readUInt32LE(at + 4));
        positions.push({ partition: doc.partition, offset: (BigInt(doc.baseOffset) + record).toString() });
      }
    }
    return positions;
  }

  async sweep(before: Date): Promise<number> {
    return (await this.docs.deleteMany({ at: { $lt: before } })).deletedCount;
  }
}

/** Pairs of unsigned 32-bit numbers, little-endian. */
function packPairs(values: readonly number[]): Buffer {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((value, i) => bytes.writeUInt32LE(value >>> 0, i * 4));
  return bytes;
}
