import { randomBytes } from 'node:crypto';
import type { Logger } from '@manifold/logger';
import type { Collection, Filter, UpdateFilter } from 'mongodb';

/**
 * running → (stopping →) stopped, or done, or failed. A run is worked on by one replica at a
 * time, which holds its lease and renews it as it goes; a replica that dies leaves the lease to
 * expire, and another replica takes the run over where its progress says it was.
 */
export type RunStatus = 'running' | 'stopping' | 'stopped' | 'done' | 'failed';

export const ACTIVE_STATUSES: readonly RunStatus[] = ['running', 'stopping'];

export interface RunDoc {
  _id: string;
  workspaceId: string;
  status: RunStatus;
  requestedBy: string;
  requestedAt: Date;
  finishedAt?: Date;
  stoppedBy?: string;
  error?: string;
  /** The replica working on it, until when. */
  owner?: string;
  leaseUntil?: Date;
}

/** A worker's hold on one run. */
export interface RunLease<D extends RunDoc> {
  /** Extends the lease; the run as stored now, or undefined when another replica holds it. */
  renew(): Promise<D | undefined>;
  /** True once the worker is shutting down: end the run's work soon (it is taken up again). */
  readonly closing: boolean;
}

export interface RunWorkerOptions<D extends RunDoc> {
  /** Does the run's work, renewing the lease often, until it is done, stopped or the lease is lost. */
  process(run: D, lease: RunLease<D>): Promise<void>;
  logger: Logger;
  now: () => Date;
  /** How often to look for runs nobody works on. */
  pollMs?: number;
  leaseMs?: number;
  /** Runs worked on at once by this replica. */
  concurrency?: number;
}

/**
 * Picks up active runs of one collection whose lease is free or expired and works on them.
 * (MongoDB makes taking a lease atomic; FerretDB does not guarantee it against a concurrent
 * taker, which a single control-plane replica never meets.)
 */
export class RunWorker<D extends RunDoc> {
  private readonly replica = `cp-${randomBytes(6).toString('hex')}`;
  private readonly active = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private closing = false;

  constructor(
    private readonly runs: Collection<D>,
    private readonly options: RunWorkerOptions<D>,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.poke(), this.options.pollMs ?? 1000);
    this.timer.unref();
    this.poke();
  }

  /** Looks for work now (a run was just created). */
  poke(): void {
    if (this.closing || this.polling) return;
    this.polling = this.takeAll()
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'could not look for runs to work on'))
      .finally(() => (this.polling = undefined));
  }

  async stop(): Promise<void> {
    this.closing = true;
    clearInterval(this.timer);
    await this.polling;
    await Promise.allSettled(this.active.values());
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? 30_000;
  }

  private async takeAll(): Promise<void> {
    while (!this.closing && this.active.size < (this.options.concurrency ?? 4)) {
      const now = this.options.now();
      const filter = {
        status: { $in: ACTIVE_STATUSES },
        _id: { $nin: [...this.active.keys()] },
        $or: [{ leaseUntil: { $exists: false } }, { leaseUntil: { $lt: now } }],
      } as unknown as Filter<D>;
      const update = { $set: { owner: this.replica, leaseUntil: new Date(now.getTime() + this.leaseMs) } };
      const run = (await this.runs.findOneAndUpdate(filter, update as unknown as UpdateFilter<D>, {
        returnDocument: 'after',
      })) as D | null;
      if (!run) return;
      const work = this.work(run).finally(() => this.active.delete(run._id));
      this.active.set(run._id, work);
    }
  }

  private async work(run: D): Promise<void> {
    const isClosing = (): boolean => this.closing;
    const lease: RunLease<D> = {
      renew: async () => {
        const now = this.options.now();
        const filter = { _id: run._id, owner: this.replica } as unknown as Filter<D>;
        const update = { $set: { leaseUntil: new Date(now.getTime() + this.leaseMs) } };
        return ((await this.runs.findOneAndUpdate(filter, update as unknown as UpdateFilter<D>, {
          returnDocument: 'after',
        })) ?? undefined) as D | undefined;
      },
      get closing() {
        return isClosing();
      },
    };
    try {
      await this.options.process(run, lease);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.options.logger.error({ err: error, runId: run._id }, 'run failed');
      await this.runs
        .updateOne(
          { _id: run._id, owner: this.replica } as unknown as Filter<D>,
          {
            $set: { status: 'failed', error: message, finishedAt: this.options.now() },
          } as unknown as UpdateFilter<D>,
        )
        .catch(() => undefined);
    } finally {
      // Free the lease at once: a run left active (shutdown) is taken up by the next poll anywhere.
      await this.runs
        .updateOne(
          { _id: run._id, owner: this.replica } as unknown as Filter<D>,
          {
            $unset: { owner: '', leaseUntil: '' },
          } as unknown as UpdateFilter<D>,
        )
        .catch(() => undefined);
    }
  }
}

/** Sends at most `perSecond` items a second, on average from the start, in chunks of about a tenth of a second. */
export class Pacer {
  private readonly started = Date.now();
  private taken = 0;

  constructor(private readonly perSecond: number) {}

  /** Items per send: small enough that a stop is noticed and the rate holds within the second. */
  get chunk(): number {
    return Math.max(1, Math.min(500, Math.ceil(this.perSecond / 10)));
  }

  /** Waits until `count` more items may go. */
  async take(count: number): Promise<void> {
    const due = this.started + (this.taken / this.perSecond) * 1000;
    this.taken += count;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** `items` in pieces of at most `size`. */
export function inChunks<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
