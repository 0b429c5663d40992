import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@manifold/logger';

/** The consumer stopped while an operation waited for the claim store: its batch is left uncommitted. */
export class StoppedWaitingError extends Error {
  constructor(what: string, cause: unknown) {
    super(`stopped while waiting for the claim store (${what})`, { cause });
    this.name = 'StoppedWaitingError';
  }
}

export interface StoreWaiterOptions {
  logger: Logger;
  /** First wait after a failure; doubled after each further failure up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Called after every failed attempt (metrics). */
  onFailure?(): void;
  random?: () => number;
  now?: () => number;
}

/** The longest a waiting operation goes without looking whether its consumer was stopped. */
const STOP_CHECK_MS = 500;

/**
 * Runs claim-store operations until they succeed. Delivery must not go ahead unguarded, so an
 * operation that fails (MongoDB unreachable, a timeout, an answer that leaves the outcome unknown)
 * is tried again with backoff for as long as it takes; the batch waits with its offsets
 * uncommitted, and the pause shows in readiness and metrics. Only a stopping consumer ends the
 * wait (the batch is then read again by whoever consumes the partition next).
 */
export class StoreWaiter {
  private outage: { since: number; error: string } | undefined;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly options: StoreWaiterOptions) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** When the current pause began (ms since the epoch), or undefined while the store answers. */
  get pausedSince(): number | undefined {
    return this.outage?.since;
  }

  /** Throws while deliveries are paused for the claim store (a readiness check). */
  check(): void {
    if (!this.outage) return;
    const since = new Date(this.outage.since).toISOString();
    throw new Error(`deliveries paused since ${since}: messageId claims cannot be made (${this.outage.error})`);
  }

  /**
   * `operation` until it resolves; `keepGoing` is asked between attempts (false: give up with
   * StoppedWaitingError). `operation` gets the number of attempts that failed before it.
   */
  async run<T>(what: string, operation: (failures: number) => Promise<T>, keepGoing: () => boolean): Promise<T> {
    const initial = this.options.initialDelayMs ?? 200;
    const max = this.options.maxDelayMs ?? 5000;
    for (let failures = 0; ; failures++) {
      let result: T;
      try {
        result = await operation(failures);
      } catch (error) {
        this.failed(what, error);
        if (!keepGoing()) throw new StoppedWaitingError(what, error);
        const delay = Math.min(max, initial * 2 ** Math.min(failures, 16)) * (0.5 + this.random());
        await this.wait(delay, keepGoing);
        if (!keepGoing()) throw new StoppedWaitingError(what, error);
        continue;
      }
      this.recovered();
      return result;
    }
  }

  private async wait(ms: number, keepGoing: () => boolean): Promise<void> {
    const until = this.now() + ms;
    for (let left = ms; left > 0 && keepGoing(); left = until - this.now()) {
      await sleep(Math.min(left, STOP_CHECK_MS));
    }
  }

  private failed(what: string, error: unknown): void {
    this.options.onFailure?.();
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (!this.outage) {
      this.outage = { since: this.now(), error: message };
      this.options.logger.warn(
        { err: message, operation: what },
        'claim store not answering: deliveries paused until messageId claims can be made',
      );
    } else {
      this.outage.error = message;
    }
  }

  private recovered(): void {
    if (!this.outage) return;
    const pausedMs = this.now() - this.outage.since;
    this.outage = undefined;
    this.options.logger.info({ pausedMs }, 'claim store answers again: deliveries resumed');
  }
}
