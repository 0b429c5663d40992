import { randomBytes } from 'node:crypto';
import type { Admin, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '@manifold/logger';
import { consumedMessage } from './headers';
import type { ConsumedMessage } from './types';

/** Offsets `from` (included) to `to` (excluded) of one partition. */
export interface PartitionRange {
  partition: number;
  from: string;
  to: string;
}

export interface RangeReadOptions {
  topic: string;
  ranges: readonly PartitionRange[];
  /**
   * Takes the messages of one partition in offset order, only those inside its range. The next
   * batch of that partition waits for it: a slow handler (a rate limit) slows the read.
   */
  handleBatch(messages: ConsumedMessage[], context: { heartbeat(): Promise<void> }): Promise<void>;
  /** Asked between batches: false ends the read early (a cancelled replay). */
  keepGoing?: () => boolean;
  /** Give up when no message of a range arrives for this long (ms). Default 30 s. */
  idleTimeoutMs?: number;
}

export interface RangeReadResult {
  /** True when every range was read to its end; false when `keepGoing` ended it. */
  complete: boolean;
}

/**
 * Reads fixed offset ranges of a topic once, outside any application consumer group: a
 * throwaway group that never commits (kafkajs has no assignment without a group), seeks each
 * partition to its first range, on to the next one when a range is done, and stops after the
 * last. A partition may have several ranges (they are read in offset order, overlaps merged).
 * The group is deleted afterwards.
 */
export async function readRanges(
  kafka: Kafka,
  admin: () => Promise<Admin>,
  options: RangeReadOptions,
  logger: Logger,
): Promise<RangeReadResult> {
  const pending = rangesByPartition(options.ranges);
  if (pending.size === 0) return { complete: true };
  const groupId = `manifold-range-reader-${randomBytes(6).toString('hex')}`;
  const consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: 30000,
    heartbeatInterval: 3000,
    maxWaitTimeInMs: 250,
    retry: { retries: 5, initialRetryTime: 200 },
  });
  const keepGoing = options.keepGoing ?? (() => true);
  const idleTimeoutMs = options.idleTimeoutMs ?? 30000;
  let lastProgress = Date.now();
  let handling = 0;
  let failure: unknown;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));

  const onBatch = async ({ batch, heartbeat }: EachBatchPayload): Promise<void> => {
    const queue = pending.get(batch.partition);
    const range = queue?.[0];
    if (!queue || !range || failure !== undefined) return;
    const messages: ConsumedMessage[] = [];
    for (const m of batch.messages) {
      const offset = BigInt(m.offset);
      // The seek may apply a fetch late: messages outside the range are never handed on.
      if (offset < range.from || offset >= range.to) continue;
      messages.push(consumedMessage(batch, m));
    }
    if (messages.length > 0) {
      handling += 1;
      try {
        await options.handleBatch(messages, { heartbeat });
      } catch (error) {
        failure = error;
        finish();
        return;
      } finally {
        handling -= 1;
      }
      range.from = BigInt((messages[messages.length - 1] as ConsumedMessage).offset) + 1n;
      lastProgress = Date.now();
    }
    // The last offset of a batch may be past the range (or a control record): done either way.
    if (range.from >= range.to || BigInt(batch.lastOffset()) + 1n >= range.to) {
      queue.shift();
      const next = queue[0];
      if (next) consumer.seek({ topic: options.topic, partition: batch.partition, offset: next.from.toString() });
      else pending.delete(batch.partition);
    }
    if (pending.size === 0 || !keepGoing()) finish();
  };

  const watchdog = setInterval(() => {
    if (!keepGoing()) finish();
    // A handler waiting on its rate limit is progress too.
    else if (handling === 0 && Date.now() - lastProgress > idleTimeoutMs) {
      failure ??= new Error(
        `reading ${options.topic}: nothing arrived for ${Math.round(idleTimeoutMs / 1000)} s ` +
          `(partitions still open: ${[...pending.keys()].join(', ')})`,
      );
      finish();
    }
  }, 200);
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [options.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: Math.min(pending.size, 4),
      eachBatch: onBatch,
    });
    const wanted = new Set(pending.keys());
    const all = (await (await admin()).fetchTopicMetadata({ topics: [options.topic] })).topics[0]?.partitions ?? [];
    const unwanted = all.map((p) => p.partitionId).filter((p) => !wanted.has(p));
    if (unwanted.length > 0) consumer.pause([{ topic: options.topic, partitions: unwanted }]);
    for (const [partition, queue] of pending) {
      consumer.seek({ topic: options.topic, partition, offset: (queue[0] as OpenRange).from.toString() });
    }
    lastProgress = Date.now();
    await finished;
  } finally {
    clearInterval(watchdog);
    await consumer
      .disconnect()
      .catch((error: unknown) => logger.warn({ err: error }, 'range reader did not disconnect'));
    await (
      await admin()
    )
      .deleteGroups([groupId])
      .catch((error: unknown) => logger.debug({ err: error, groupId }, 'range reader group not deleted'));
  }
  if (failure !== undefined) throw failure;
  return { complete: pending.size === 0 };
}

interface OpenRange {
  from: bigint;
  to: bigint;
}

/** Per partition, its non-empty ranges in offset order, overlapping or touching ones merged. */
function rangesByPartition(ranges: readonly PartitionRange[]): Map<number, OpenRange[]> {
  const byPartition = new Map<number, OpenRange[]>();
  for (const range of ranges) {
    const from = BigInt(range.from);
    const to = BigInt(range.to);
    if (to <= from) continue;
    const list = byPartition.get(range.partition) ?? [];
    list.push({ from, to });
    byPartition.set(range.partition, list);
  }
  for (const [partition, list] of byPartition) {
    list.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
    const merged: OpenRange[] = [];
    for (const range of list) {
      const last = merged[merged.length - 1];
      if (last && range.from <= last.to) last.to = range.to > last.to ? range.to : last.to;
      else merged.push({ ...range });
    }
    byPartition.set(partition, merged);
  }
  return byPartition;
}
