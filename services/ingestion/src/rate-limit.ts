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
 * set of sources.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly rate: number;
  private readonly burst: number;

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
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate));
  }
}
