/**
 * At most `limit` tasks at once per key (a destination instance), the rest queued in order.
 * Queues are dropped when idle, so keys cost nothing once their work is done.
 */
export class KeyedLimiter {
  private readonly lanes = new Map<string, { active: number; waiting: Array<() => void> }>();

  constructor(private readonly limit: number) {
    if (limit < 1) throw new Error('the concurrency limit must be at least 1');
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { active: 0, waiting: [] };
      this.lanes.set(key, lane);
    }
    if (lane.active >= this.limit) await new Promise<void>((resolve) => lane.waiting.push(resolve));
    else lane.active += 1;
    try {
      return await task();
    } finally {
      const next = lane.waiting.shift();
      if (next) next();
      else {
        lane.active -= 1;
        if (lane.active === 0) this.lanes.delete(key);
      }
    }
  }

  /** Tasks running for `key` (for tests and metrics). */
  active(key: string): number {
    return this.lanes.get(key)?.active ?? 0;
  }
}
