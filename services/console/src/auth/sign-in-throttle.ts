/**
 * Slows password guessing: after `maxFailures` wrong passwords for one email from one address
 * within `windowMs`, sign-in for that pair is refused until the window ends. In memory, so each
 * console replica counts on its own.
 */
export class SignInThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly maxFailures = 5,
    private readonly windowMs = 15 * 60 * 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the pair may try again, or 0 when it may try now. */
  retryAfterSeconds(email: string, address: string): number {
    const entry = this.failures.get(this.key(email, address));
    if (!entry || entry.count < this.maxFailures) return 0;
    const left = entry.since + this.windowMs - this.now();
    return left > 0 ? Math.ceil(left / 1000) : 0;
  }

  recordFailure(email: string, address: string): void {
    const key = this.key(email, address);
    const now = this.now();
    const entry = this.failures.get(key);
    if (!entry || now - entry.since >= this.windowMs) this.failures.set(key, { count: 1, since: now });
    else entry.count += 1;
    if (this.failures.size > 10_000) this.prune(now);
  }

  recordSuccess(email: string, address: string): void {
    this.failures.delete(this.key(email, address));
  }

  private key(email: string, address: string): string {
    return `${email.trim().toLowerCase()}|${address}`;
  }

  private prune(now: number): void {
    for (const [key, entry] of this.failures) if (now - entry.since >= this.windowMs) this.failures.delete(key);
  }
}
