/** Reasons of requests that got no answer in time: what holds a batch up. */
const TIMEOUT_REASONS = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
  'TimeoutError',
  'AbortError',
]);

/** Retry reason of events not attempted because their instance stopped answering. */
export const NOT_RESPONDING = 'DESTINATION_NOT_RESPONDING';

export interface SlowInstancesOptions {
  /** Consecutive timed-out requests after which the events topic stops attempting an instance. */
  threshold: number;
}

/**
 * Destination instances that stopped answering. A request that times out holds its batch, and
 * the consumer fetches nothing more until every batch of its last fetch is done, so one silent
 * instance would stall every instance of its type. After `threshold` consecutive timeouts the
 * events topic stops attempting the instance: its events go straight to the retry topics. The
 * retries are still attempted, on their own consumer: they are the probes. Any answer, even an
 * error status, clears the instance again (only silence blocks).
 */
export class SlowInstances {
  private readonly timeouts = new Map<string, number>();

  constructor(private readonly options: SlowInstancesOptions) {}

  /** Whether an event of the events topic may be attempted on the instance now. */
  admits(instanceId: string): boolean {
    return (this.timeouts.get(instanceId) ?? 0) < this.options.threshold;
  }

  /** The instance answered (any status): it is not silent. */
  answered(instanceId: string): void {
    this.timeouts.delete(instanceId);
  }

  /** A request to the instance failed without an answer; counts when it timed out. */
  failed(instanceId: string, reason: string): void {
    if (!TIMEOUT_REASONS.has(reason)) return;
    this.timeouts.set(instanceId, (this.timeouts.get(instanceId) ?? 0) + 1);
  }
}
