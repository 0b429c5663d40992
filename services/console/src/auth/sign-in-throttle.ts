export interface ThrottleLimits {
  /** Wrong passwords for one email from one address within `addressWindowMs` before that pair must wait. */
  maxFailuresPerAddress: number;
  addressWindowMs: number;
  /** Wrong passwords across all emails and addresses within `globalWindowMs` before everyone must wait. */
  maxFailuresGlobal: number;
  globalWindowMs: number;
}

export const DEFAULT_THROTTLE_LIMITS: ThrottleLimits = {
  maxFailuresPerAddress: 5,
  addressWindowMs: 15 * 60 * 1000,
  maxFailuresGlobal: 100,
  globalWindowMs: 60 * 1000,
};

/** Why sign-in must wait: too many wrong passwords for this email from this address, or from everyone. */
export interface ThrottleWait {
  scope: 'address' | 'global';
  seconds: number;
}

interface Window {
  count: number;
  since: number;
}

/**
 * Slows password guessing in memory (each console replica counts on its own): one email from one
 * address may get `maxFailuresPerAddress` wrong within its window, and the whole console
 * `maxFailuresGlobal` within its window, so guessing spread over many emails and addresses is
 * slowed too. Per-account lockout, shared by replicas, is SignInFailureStore's job. First-run
 * setup counts wrong setup tokens in an instance of its own, under one fixed "email" for all.
 */
export class SignInThrottle {
  private readonly failures = new Map<string, Window>();
  private global: Window = { count: 0, since: 0 };

  constructor(
    private readonly limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** How long sign-in for this email from this address must wait, or undefined when it may try now. */
  wait(email: string, address: string): ThrottleWait | undefined {
    const now = this.now();
    const global = this.left(this.global, this.limits.maxFailuresGlobal, this.limits.globalWindowMs, now);
    if (global > 0) return { scope: 'global', seconds: Math.ceil(global / 1000) };
    const entry = this.failures.get(this.key(email, address));
    const pair = entry ? this.left(entry, this.limits.maxFailuresPerAddress, this.limits.addressWindowMs, now) : 0;
    return pair > 0 ? { scope: 'address', seconds: Math.ceil(pair / 1000) } : undefined;
  }

  recordFailure(email: string, address: string): void {
    const now = this.now();
    this.global = this.counted(this.global, this.limits.globalWindowMs, now);
    const key = this.key(email, address);
    this.failures.set(key, this.counted(this.failures.get(key), this.limits.addressWindowMs, now));
    if (this.failures.size > 10_000) this.prune(now);
  }

  recordSuccess(email: string, address: string): void {
    this.failures.delete(this.key(email, address));
  }

  /** Milliseconds until a window at its limit ends; 0 when under the limit or over. */
  private left(window: Window, max: number, windowMs: number, now: number): number {
    if (window.count < max) return 0;
    return Math.max(0, window.since + windowMs - now);
  }

  private counted(window: Window | undefined, windowMs: number, now: number): Window {
    if (!window || now - window.since >= windowMs) return { count: 1, since: now };
    return { count: window.count + 1, since: window.since };
  }

  private key(email: string, address: string): string {
    return `${email.trim().toLowerCase()}|${address}`;
  }

  private prune(now: number): void {
    for (const [key, entry] of this.failures) {
      if (now - entry.since >= this.limits.addressWindowMs) this.failures.delete(key);
    }
  }
}
