import type { ClaimRequest, MessageClaims } from '../dedup/claims';
import type { BatchLedger, ReadItem } from '../dedup/progress-ledger';
import type { DeliveryTask, TaskResult } from './task';

/** The retry reason of an event handed to a retry tier, without an attempt, by a read of its batch again. */
export const READ_AGAIN = 'READ_AGAIN';

/** What becomes of a chunk of tasks, once their claims and the batch's earlier reads are known. */
export interface AdmittedChunk {
  /** To be delivered. */
  deliver: DeliveryTask[];
  /**
   * Claimed by an earlier read of the batch, which did not finish them: they go to a retry tier
   * without an attempt (see BatchGuard).
   */
  handOver: DeliveryTask[];
  /** Refused: another event holds the messageId's claim (counted as filtered duplicates). */
  duplicates: DeliveryTask[];
  /** Copies of a retry another copy goes on with: dropped, recorded, not counted as outcomes. */
  superseded: DeliveryTask[];
  /** Finished by an earlier read of the batch: not attempted, and not counted again. */
  repeated: DeliveryTask[];
}

export interface BatchGuardOptions {
  /**
   * Events-topic tasks claim their messageId; retries claim their continuation; redeliveries claim
   * their messageId with the origin they carry (a redrive's is the dead-lettered attempt's, whose
   * claim is expected: see Redelivery).
   */
  source: 'events' | 'retries' | 'redeliveries';
  /** Retries also claim their messageId again (the dedup window may end before they do). */
  reclaim: boolean;
  /** The batch's first and last offsets (recorded as taken before the first claim). */
  from: string;
  to: string;
  keepGoing: () => boolean;
  /** A messageId claim's window when its event's source asks for one (webhook sources); else the store's. */
  claimWindowMs?: (sourceId: string) => number | undefined;
}

/**
 * The at-most-once side of one Kafka batch (events topic or retry tier): skips what an earlier read
 * of the batch finished, claims the rest, and records what this read finishes, so that reading the
 * same offsets again (after a failed commit, a rebalance, a crash) does not deliver twice.
 *
 * - An events-topic task claims its messageId (`<instance>|<messageId>`); a claim held by another
 *   event makes it a duplicate.
 * - A retry claims its continuation (`retry|<instance>|<messageId>|<from>`): the right to go on
 *   after the read that handed the event over. A batch read again may hand an event over a second
 *   time (its first retry was published, or maybe published: Kafka can store a message whose
 *   publish failed, as when a broker stops), and the copies share `from`: the first to claim goes
 *   on, the others are dropped.
 * - A task that an earlier read of the batch claimed but did not finish is handed over to a retry
 *   tier, not attempted: that read may have handed it over already, and the retries' continuation
 *   claim lets only one of the two go on. (It may also have delivered it and died before recording
 *   it: then it is sent again, the documented crash window.)
 * - Finished is: delivered, dropped, refused, superseded (recorded as soon as the chunk's
 *   deliveries are done, before anything else can fail the batch); and handed to a retry tier or
 *   the dead-letter topic (recorded once Kafka holds them: until then a new read must do it again).
 */
export class BatchGuard {
  private readonly handingOver: ReadItem[] = [];
  private loading: Promise<void> | undefined;
  private taking: Promise<void> | undefined;

  constructor(
    private readonly ledger: BatchLedger,
    private readonly claims: MessageClaims,
    private readonly options: BatchGuardOptions,
  ) {}

  /** Reads what earlier reads of the partition did (once). */
  load(): Promise<void> {
    this.loading ??= this.ledger.load();
    return this.loading;
  }

  /** After load(): true when an earlier read finished this message for this instance. */
  finishedBefore(offset: string, instance: string): boolean {
    return this.ledger.finishedBefore(offset, instance);
  }

  /** Sorts a chunk of tasks by what their claims and the batch's earlier reads say. */
  async admit(tasks: readonly DeliveryTask[]): Promise<AdmittedChunk> {
    // Before the first claim, once: a batch with nothing to claim needs no record.
    await (this.taking ??= this.load().then(() => this.ledger.take(this.options.from, this.options.to)));
    const chunk: AdmittedChunk = { deliver: [], handOver: [], duplicates: [], superseded: [], repeated: [] };
    const open: DeliveryTask[] = [];
    for (const task of tasks) (this.finishedBefore(task.offset, task.instance.id) ? chunk.repeated : open).push(task);
    if (open.length === 0) return chunk;
    const { source, reclaim, keepGoing } = this.options;
    const perTask = source === 'retries' && reclaim ? 2 : 1;
    const answers = await this.claims.claim(
      open.flatMap((task) => this.requests(task)),
      keepGoing,
    );
    open.forEach((task, index) => {
      const [first, messageId] = answers.slice(index * perTask, (index + 1) * perTask);
      if (first === 'other') (source === 'retries' ? chunk.superseded : chunk.duplicates).push(task);
      else if (messageId === 'other') chunk.duplicates.push(task);
      // Claimed by an earlier read, which may have sent it on already.
      else if (first === 'own' && this.readBefore(task)) chunk.handOver.push(task);
      else chunk.deliver.push(task);
    });
    return chunk;
  }

  /**
   * Whether a claim found with the task's own origin is an earlier read's: always for events and
   * retries (the origin is the message itself); for a redelivery only when an earlier read took
   * its offset, since a redrive finds the claim of the attempt it sends again.
   */
  private readBefore(task: DeliveryTask): boolean {
    return this.options.source !== 'redeliveries' || this.ledger.takenBefore(task.offset);
  }

  private requests(task: DeliveryTask): ClaimRequest[] {
    const fresh = !this.ledger.takenBefore(task.offset);
    const windowMs = this.options.claimWindowMs?.(task.metadata.sourceId);
    const messageId = {
      destinationId: task.instance.id,
      messageId: task.event.messageId,
      ...(windowMs !== undefined ? { windowMs } : {}),
    };
    if (this.options.source === 'events') return [{ ...messageId, origin: task.origin, fresh }];
    if (this.options.source === 'redeliveries') return [{ ...messageId, origin: task.origin, fresh: false }];
    const continuation = {
      destinationId: task.instance.id,
      messageId: task.event.messageId,
      origin: task.readAt,
      after: task.from ?? task.origin,
      fresh,
    };
    // The messageId claim may be the retry's own first attempt's: its origin decides.
    return this.options.reclaim ? [continuation, { ...messageId, origin: task.origin, fresh: false }] : [continuation];
  }

  /**
   * After a chunk's deliveries: records now what needs nothing more (`settled`: duplicates and
   * superseded copies); retries and dead letters wait for `handedOver()`.
   */
  chunkDone(results: readonly TaskResult[], settled: readonly DeliveryTask[]): Promise<void> {
    const finished = settled.map(readItem);
    for (const { task, outcome } of results) {
      const publishing = outcome.kind === 'retry' || outcome.kind === 'dead-letter';
      (publishing ? this.handingOver : finished).push(readItem(task));
    }
    return this.ledger.finish(finished);
  }

  /** A retry put back in a tier without an attempt: handed over like the others. */
  requeued(offset: string, instance: string): void {
    this.handingOver.push({ offset, instance });
  }

  /** Once Kafka holds the batch's retries and dead letters: records them as finished. */
  handedOver(): Promise<void> {
    return this.ledger.finish(this.handingOver);
  }

  /** The batch is over, whether it succeeded or not (see BatchLedger.end). */
  end(): void {
    this.ledger.end();
  }
}

function readItem(task: DeliveryTask): ReadItem {
  return { offset: task.offset, instance: task.instance.id };
}
