export interface RateLimitOptions {
  /** Requests per second allowed per write key; 0 turns limiting off. */
  requestsPerSecond: number;
  /** Requests allowed at once after a quiet period; defaults to one second's worth. */
  burst: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * A token bucket per write key, in this process: each replica enforces the limit on its own
 * share of traffic. Only keys of known sources reach it, so the map stays as small as the
 * set of sources. The workers of one process share their buckets: each reports the tokens it
 * took (`takenSinceLastCall`) and takes those the others took (`takeElsewhere`).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly rate: number;
  private readonly burst: number;
  /** Tokens taken per key since the last report; only kept when the buckets are shared. */
  private taken: Map<string, number> | undefined;

  constructor(
    options: RateLimitOptions,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.rate = options.requestsPerSecond;
    this.burst = Math.max(1, options.burst > 0 ? options.burst : options.requestsPerSecond);
  }

  get enabled(): boolean {
    return this.rate > 0;
  }

  /**
   * Takes one request's token. Returns 0 when allowed, otherwise the whole seconds to wait
   * before a token is there again (for `Retry-After`).
   */
  take(key: string): number {
    if (this.rate <= 0) return 0;
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.burst, updatedAt: now };
      this.buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.rate);
      bucket.updatedAt = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      if (this.taken) this.taken.set(key, (this.taken.get(key) ?? 0) + 1);
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate));
  }

  /** From now on, counts the tokens taken so that `takenSinceLastCall` can report them. */
  share(): void {
    this.taken ??= new Map();
  }

  /** The tokens taken per key since the last call (empty when nothing was). */
  takenSinceLastCall(): Array<[string, number]> {
    if (!this.taken || this.taken.size === 0) return [];
    const taken = [...this.taken];
    this.taken.clear();
    return taken;
  }

  /**
   * Takes tokens another worker took from the same bucket. The bucket may go into debt (down to
   * minus one burst) so that what was let through elsewhere is paid back before more is.
   */
  takeElsewhere(key: string, tokens: number): void {
    if (this.rate <= 0) return;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedAt: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.rate);
    bucket.tokens = Math.max(-this.burst, bucket.tokens - tokens);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
  }
}
