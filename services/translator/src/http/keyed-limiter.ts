interface Waiter {
  resume: () => void;
  next: Waiter | undefined;
}

interface Lane {
  active: number;
  /** FIFO of waiting tasks as a linked list: thousands may wait, and Array#shift is O(n). */
  head: Waiter | undefined;
  tail: Waiter | undefined;
}

/**
 * At most `limit` tasks at once per key (a destination instance), the rest queued in order.
 * Lanes are dropped when idle, so keys cost nothing once their work is done.
 */
export class KeyedLimiter {
  private readonly lanes = new Map<string, Lane>();

  constructor(readonly limit: number) {
    if (limit < 1) throw new Error('the concurrency limit must be at least 1');
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { active: 0, head: undefined, tail: undefined };
      this.lanes.set(key, lane);
    }
    if (lane.active >= this.limit) {
      const queue = lane;
      // The slot is handed over by the task that finishes: `active` stays as it is.
      await new Promise<void>((resume) => {
        const waiter: Waiter = { resume, next: undefined };
        if (queue.tail) queue.tail.next = waiter;
        else queue.head = waiter;
        queue.tail = waiter;
      });
    } else {
      lane.active += 1;
    }
    try {
      return await task();
    } finally {
      const next = lane.head;
      if (next) {
        lane.head = next.next;
        if (!lane.head) lane.tail = undefined;
        next.resume();
      } else {
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
