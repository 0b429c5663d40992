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
 * attempt from the shortest tier's delay, times a random factor in [0.5, 1.5). The message goes
 * to the tier nearest that wait (by ratio, so 10 s picks 5 s over 30 s and 20 s picks 30 s):
 * rounding up instead sent half of all first retries (wanted 5–7.5 s) to the 30 s tier. A
 * destination's Retry-After is a minimum: only tiers at least that long are candidates, and a wait
 * longer than the longest tier is a not-before time. Every message of a tier waits that tier's
 * delay from its enqueue time, so each tier's topic holds messages in due order.
 */
export function planRetry({ attempts, retryAfterMs, tiers, now, random = Math.random }: PlanRetryInput): RetryPlan {
  const first = tiers[0];
  if (!first) throw new Error('no retry tiers configured');
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const backoff = first.delayMs * 2 ** exponent * (0.5 + random());
  const minimum = retryAfterMs ?? 0;
  const wanted = Math.max(minimum, backoff);
  const tier = nearestTier(
    wanted,
    tiers.filter((t) => t.delayMs >= minimum),
    tiers[tiers.length - 1] as RetryTier,
  );
  const dueAt = now + tier.delayMs;
  return { tier, dueAt, notBefore: Math.max(dueAt, now + Math.ceil(minimum)) };
}

/** The candidate whose delay is nearest `wantedMs` by ratio; `fallback` when there is none. */
function nearestTier(wantedMs: number, candidates: readonly RetryTier[], fallback: RetryTier): RetryTier {
  let best: RetryTier | undefined;
  let bestDistance = Infinity;
  for (const tier of candidates) {
    const distance = Math.abs(Math.log(tier.delayMs / wantedMs));
    if (distance < bestDistance) [best, bestDistance] = [tier, distance];
  }
  return best ?? fallback;
}

/** The tier for waiting the rest of `remainingMs` (a message released before its notBefore). */
export function tierForWait(remainingMs: number, tiers: readonly RetryTier[]): RetryTier {
  return tiers.find((t) => t.delayMs >= remainingMs) ?? (tiers[tiers.length - 1] as RetryTier);
}
