import type { DeadLetterReason, Outcome } from '@manifold/destination-kit';
import { planRetry, tierForWait } from '../retry/backoff';
import type { RetryTier } from '../topics';

// What becomes of one event for one instance, decided in one place from what the destination
// kit made of the attempt (its outcome) and the event's attempts so far. Pure: the time and the
// backoff's random factor come in, nothing goes out; the batch router publishes the decision.

/** The event's attempts before the outcome decided. */
export interface AttemptHistory {
  /** Attempts made before this outcome (0 for a first attempt). */
  attempts: number;
  /** When the first attempt was made (ms since the epoch); this one's time for a first attempt. */
  firstAttemptAt: number;
}

export interface RetryPolicy {
  /** The retry tiers of the destination type, shortest delay first. */
  tiers: readonly RetryTier[];
  /** How long after the first attempt an event is still retried. */
  retryWindowMs: number;
  now: number;
  /** 0 ≤ random() < 1: the backoff's random factor. */
  random?: () => number;
}

export type DeliveryDecision =
  /** Deliberately not sent (integrations object, filters, nothing to send, ...): counted as filtered. */
  | { kind: 'filter'; reason: string; message: string }
  /** The destination took it. */
  | { kind: 'delivered'; status: number }
  /** Published to `tier`, attempted again once it is due and not before `notBefore`. */
  | {
      kind: 'retry';
      tier: RetryTier;
      dueAt: number;
      notBefore: number;
      /** Attempts made, this one included. */
      attempts: number;
      /** Stable, low-cardinality reason: `http_503`, or a network error code. */
      reason: string;
      /** The kit's reason, in words. */
      message: string;
    }
  /** Will not be delivered: kept on the dead-letter topic. */
  | { kind: 'dead-letter'; reason: DeadLetterReason; message: string; attempts: number };

/**
 * The decision for one event's outcome: a drop is filtered, a delivery counted, a permanent
 * failure dead-lettered; a retryable failure goes to the retry tier its backoff calls for, unless
 * its next attempt would fall after the retry window (counted from the first attempt): then it is
 * dead-lettered as RETRIES_EXHAUSTED. `attempted` is false for an event stopped before any
 * request (invalid settings, a mapping that drops it or throws): no attempt is counted.
 */
export function decideDelivery(
  outcome: Outcome,
  history: AttemptHistory,
  policy: RetryPolicy,
  attempted = true,
): DeliveryDecision {
  const attempts = history.attempts + (attempted ? 1 : 0);
  switch (outcome.kind) {
    case 'drop':
      return { kind: 'filter', reason: outcome.reason, message: outcome.message };
    case 'delivered':
      return { kind: 'delivered', status: outcome.status };
    case 'dead-letter':
      return { kind: 'dead-letter', reason: outcome.reason, message: outcome.message, attempts };
    case 'retry': {
      const plan = planRetry({
        attempts,
        ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
        tiers: policy.tiers,
        now: policy.now,
        ...(policy.random ? { random: policy.random } : {}),
      });
      if (plan.notBefore - history.firstAttemptAt > policy.retryWindowMs) {
        const windowMinutes = Math.round(policy.retryWindowMs / 60000);
        return {
          kind: 'dead-letter',
          reason: 'RETRIES_EXHAUSTED',
          message: `gave up after ${attempts} attempts (retry window ${windowMinutes} min); last: ${outcome.reason}`,
          attempts,
        };
      }
      return {
        kind: 'retry',
        tier: plan.tier,
        dueAt: plan.dueAt,
        notBefore: plan.notBefore,
        attempts,
        reason: outcome.status !== undefined ? `http_${outcome.status}` : outcome.reason,
        message: outcome.reason,
      };
    }
  }
}

/** What to do with a retry its tier released: attempt it, or let it wait out its not-before time. */
export type ReleaseDecision = { kind: 'attempt' } | { kind: 'wait'; tier: RetryTier };

/**
 * A tier releases a retry after the tier's delay; a wait longer than the longest tier (a long
 * Retry-After) passes through it again without an attempt, in the tier that covers the rest.
 */
export function decideRelease(notBefore: number, tiers: readonly RetryTier[], now: number): ReleaseDecision {
  return notBefore > now ? { kind: 'wait', tier: tierForWait(notBefore - now, tiers) } : { kind: 'attempt' };
}
