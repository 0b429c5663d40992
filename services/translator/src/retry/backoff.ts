import type { RetryTier } from '../topics';

export interface RetryPlan {
  tier: RetryTier;
  /** When the tier releases the message: enqueue time + the tier's delay. */
  dueAt: number;
  /** Earliest next attempt; later than `dueAt` only when the wait is longer than the longest tier. */
  notBefore: number;
}

export interface PlanRetryInput {
  /** Attempts made so far (1 after the first failure). */
  attempts: number;
  /** The wait the destination asked for (Retry-After), a minimum. */
  retryAfterMs?: number;
  tiers: readonly RetryTier[];
  now: number;
  /** 0 ≤ random() < 1; injectable so tests are exact. */
  random?: () => number;
}

/**
 * Randomized exponential backoff over fixed delay tiers: the wanted wait doubles with every
 * attempt from the shortest tier's delay, times a random factor in [0.5, 1.5), and is never
 * shorter than what the destination asked for. The message goes to the shortest tier that waits
 * at least that long, so each tier's topic holds messages in due order.
 */
export function planRetry({ attempts, retryAfterMs, tiers, now, random = Math.random }: PlanRetryInput): RetryPlan {
  const first = tiers[0];
  if (!first) throw new Error('no retry tiers configured');
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const backoff = first.delayMs * 2 ** exponent * (0.5 + random());
  const wanted = Math.max(retryAfterMs ?? 0, backoff);
  const tier = tiers.find((t) => t.delayMs >= wanted) ?? (tiers[tiers.length - 1] as RetryTier);
  const dueAt = now + tier.delayMs;
  return { tier, dueAt, notBefore: Math.max(dueAt, now + Math.ceil(wanted)) };
}

/** The tier for waiting the rest of `remainingMs` (a message released before its notBefore). */
export function tierForWait(remainingMs: number, tiers: readonly RetryTier[]): RetryTier {
  return tiers.find((t) => t.delayMs >= remainingMs) ?? (tiers[tiers.length - 1] as RetryTier);
}
