import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '@manifold/logger';
import { consumedMessage } from './headers';
import type { ConsumedBatch, ConsumedMessage } from './types';

export interface BatchContext {
  /** Tells the group coordinator this member is alive during long processing. */
  heartbeat(): Promise<void>;
  /** False once stop() was called: long handlers may finish early and leave the rest uncommitted. */
  isRunning(): boolean;
  /**
   * Stops fetching this batch's partition (other partitions go on) until the returned function
   * is called. Pair it with `BatchProgress.unprocessedFrom`: the messages not processed are
   * fetched again once the partition is resumed (e.g. a delay queue waiting for a due time).
   */
  pause(): () => void;
  /**
   * Changes each time this member (re)joins its group. Between two values another member may
   * have read (and not committed) this batch's partition: whatever the handler remembers about a
   * partition from an earlier value may be stale.
   */
  assignment: number;
}

/** What a handler may report back when it did not process its whole batch. */
export interface BatchProgress {
  /**
   * Offset of the first message left unprocessed: it and everything after it are neither
   * committed nor skipped, and are fetched again (after a pause, once resumed).
   */
  unprocessedFrom?: string;
}

export interface ConsumerOptions {
  groupId: string;
  topics: readonly string[];
  /** Where a group with no committed offset starts. Default: the earliest message. */
  fromBeginning?: boolean;
  /** How many partitions are processed at once. */
  partitionsConsumedConcurrently?: number;
  /**
   * Longest time one fetch waits on the broker for new data (ms; kafkajs's default is 5000). A
   * partition resumed after a pause is read from the next fetch on, so delay queues lower this.
   */
  maxWaitTimeMs?: number;
  /**
   * Most bytes one fetch brings per partition (kafkajs's default is 1 MiB). The consumer fetches
   * again only once every batch of the last fetch is done, so a consumer working through a
   * backlog spends that gap once per fetch: larger fetches, fewer gaps.
   */
  maxBytesPerPartition?: number;
  /**
   * Processes one batch from one partition. The batch's offsets are committed only after this
   * resolves; if it (or the commit) throws, nothing is committed and the batch is delivered again.
   */
  handleBatch(batch: ConsumedBatch, context: BatchContext): Promise<void | BatchProgress>;
  /**
   * 'afterBatch' (default): each batch is committed once handleBatch resolves.
   * 'manual': batches are marked as read but never committed by the consumer; the caller commits
   * with `commit()` once what it took is durably processed (e.g. after a warehouse transaction
   * that spans many batches). Anything uncommitted is delivered again after a restart or rebalance.
   */
  commitMode?: 'afterBatch' | 'manual';
}

/** The next offset to read in one partition, as committed for a group. */
export interface PartitionOffset {
  topic: string;
  partition: number;
  /** The offset of the first message NOT yet processed (last processed + 1). */
  offset: string;
}

/**
 * A consumer group member that commits only after processing (at-least-once) and, on stop,
 * finishes the batch in hand, commits it, then leaves the group.
 */
export class ConsumerRunner {
  private readonly consumer: Consumer;
  private readonly log: Logger;
  private running = false;
  private joins = 0;

  constructor(
    kafka: Kafka,
    private readonly options: ConsumerOptions,
    logger: Logger,
    /** Called once the member has left its group. */
    private readonly onStopped: () => void = () => undefined,
  ) {
    this.log = logger.child({ component: 'kafka-consumer', groupId: options.groupId });
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      retry: { retries: 10, initialRetryTime: 200 },
      ...(options.maxWaitTimeMs !== undefined ? { maxWaitTimeInMs: options.maxWaitTimeMs } : {}),
      ...(options.maxBytesPerPartition !== undefined ? { maxBytesPerPartition: options.maxBytesPerPartition } : {}),
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.joins++;
    });
  }

  get groupId(): string {
    return this.options.groupId;
  }

  get topics(): readonly string[] {
    return this.options.topics;
  }

  /** Where the group starts on a partition it never committed: the first retained message, or the end. */
  get startsFromBeginning(): boolean {
    return this.options.fromBeginning ?? true;
  }

  /** Between run() and stop(). */
  get isRunning(): boolean {
    return this.running;
  }

  async run(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [...this.options.topics],
      fromBeginning: this.options.fromBeginning ?? true,
    });
    this.running = true;
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.processBatch(payload),
    });
    this.log.info({ topics: this.options.topics }, 'consumer started');
  }

  private async processBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0 || !payload.isRunning() || payload.isStale()) return;
    const messages: ConsumedMessage[] = batch.messages.map((m) => consumedMessage(batch, m));
    const progress = await this.options.handleBatch(
      { topic: batch.topic, partition: batch.partition, messages },
      {
        heartbeat: payload.heartbeat,
        isRunning: () => this.running && payload.isRunning(),
        pause: payload.pause,
        assignment: this.joins,
      },
    );
    const last = lastProcessed(messages, progress ? progress.unprocessedFrom : undefined);
    if (!last) return;
    if (this.options.commitMode !== 'manual') {
      // Committed through the batch rather than consumer.commitOffsets, which kafkajs skips once
      // stop() has begun: the batch finishing during a drain must still be committed.
      await payload.commitOffsetsIfNecessary({
        topics: [
          {
            topic: batch.topic,
            partitions: [{ partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }],
          },
        ],
      });
    }
    // Only after the commit: a commit that fails leaves kafkajs's position where it was, so the
    // batch is read again from the committed offset rather than skipped (a batch always starts at
    // the group's committed offset or at the end of the batch before it).
    payload.resolveOffset(last.offset);
  }

  /**
   * Commits offsets taken in 'manual' mode. Must be called before stop(): kafkajs ignores commits
   * once stopping has begun. Fails (and commits nothing) when the group is rebalancing; the
   * messages are then delivered again to whichever member owns the partition.
   */
  async commit(offsets: readonly PartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.consumer.commitOffsets(offsets.map((o) => ({ ...o })));
  }

  /** Waits for the batch in hand to finish and be committed, then leaves the group. */
  async stop(): Promise<void> {
    if (!this.running) {
      await this.consumer.disconnect();
      this.onStopped();
      return;
    }
    this.running = false;
    await this.consumer.stop();
    await this.consumer.disconnect();
    this.onStopped();
    this.log.info('consumer stopped');
  }
}

/** The last message before `unprocessedFrom` (the whole batch when it is undefined). */
function lastProcessed(
  messages: readonly ConsumedMessage[],
  unprocessedFrom: string | undefined,
): ConsumedMessage | undefined {
  if (unprocessedFrom === undefined) return messages[messages.length - 1];
  const index = messages.findIndex((m) => m.offset === unprocessedFrom);
  return index === -1 ? messages[messages.length - 1] : messages[index - 1];
}
