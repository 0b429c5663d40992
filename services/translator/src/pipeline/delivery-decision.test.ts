import { drop, type Outcome } from '@manifold/destination-kit';
import { TranslatorNames } from '../topics';
import { decideDelivery, decideRelease, type DeliveryDecision } from './delivery-decision';

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const tiers = new TranslatorNames().retryTiers('webhook', [5 * S, 30 * S, 2 * M, 10 * M, 30 * M, H]);
const topic = (delay: string) => `manifold.retry.webhook.${delay}.v1`;
const now = 1_700_000_000_000;
/** random() = 0.5: the backoff's factor is exactly 1. */
const policy = { tiers, retryWindowMs: 4 * H, now, random: () => 0.5 };
const first = { attempts: 0, firstAttemptAt: now };

const http503: Outcome = { kind: 'retry', reason: 'HTTP 503', status: 503 };

const cases: Array<[string, Outcome, { attempts: number; firstAttemptAt: number }, Partial<DeliveryDecision>]> = [
  [
    'a drop is filtered with its reason',
    drop('FILTERED_BY_RULES', 'dropped by a filter'),
    first,
    { kind: 'filter', reason: 'FILTERED_BY_RULES', message: 'dropped by a filter' },
  ],
  ['a delivery is counted as delivered', { kind: 'delivered', status: 202 }, first, { kind: 'delivered', status: 202 }],
  [
    'a rejection is dead-lettered with the attempt counted',
    { kind: 'dead-letter', reason: 'REJECTED', message: 'HTTP 400: bad', status: 400 },
    { attempts: 2, firstAttemptAt: now - M },
    { kind: 'dead-letter', reason: 'REJECTED', message: 'HTTP 400: bad', attempts: 3 },
  ],
  [
    'a first retryable failure goes to the shortest tier',
    http503,
    first,
    { kind: 'retry', attempts: 1, reason: 'http_503', message: 'HTTP 503', dueAt: now + 5 * S, notBefore: now + 5 * S },
  ],
  [
    'a network failure is retried under its error code',
    { kind: 'retry', reason: 'ECONNRESET' },
    first,
    { kind: 'retry', attempts: 1, reason: 'ECONNRESET', message: 'ECONNRESET' },
  ],
  [
    'the wait doubles per attempt: the fifth wants 80 s, nearest the 2 min tier',
    http503,
    { attempts: 4, firstAttemptAt: now - 10 * M },
    { kind: 'retry', attempts: 5, dueAt: now + 2 * M, notBefore: now + 2 * M },
  ],
  [
    'Retry-After longer than the longest tier sets a not-before time beyond it',
    { kind: 'retry', reason: 'HTTP 429', status: 429, retryAfterMs: 2 * H },
    first,
    { kind: 'retry', reason: 'http_429', dueAt: now + H, notBefore: now + 2 * H },
  ],
  [
    'a next attempt after the retry window dead-letters the event as RETRIES_EXHAUSTED',
    http503,
    { attempts: 11, firstAttemptAt: now - 3 * H - 30 * M },
    {
      kind: 'dead-letter',
      reason: 'RETRIES_EXHAUSTED',
      attempts: 12,
      message: 'gave up after 12 attempts (retry window 240 min); last: HTTP 503',
    },
  ],
  [
    'a Retry-After that reaches past the window gives up at once',
    { kind: 'retry', reason: 'HTTP 429', status: 429, retryAfterMs: 5 * H },
    first,
    { kind: 'dead-letter', reason: 'RETRIES_EXHAUSTED', attempts: 1 },
  ],
];

describe('decideDelivery', () => {
  it.each(cases)('%s', (_name, outcome, history, expected) => {
    expect(decideDelivery(outcome, history, policy)).toMatchObject(expected);
  });

  it('counts no attempt for an event stopped before any request (invalid settings, mapping)', () => {
    const invalid: Outcome = { kind: 'dead-letter', reason: 'INVALID_SETTINGS', message: 'url: required' };
    const history = { attempts: 2, firstAttemptAt: now - M };
    expect(decideDelivery(invalid, history, policy, false)).toEqual({
      kind: 'dead-letter',
      reason: 'INVALID_SETTINGS',
      message: 'url: required',
      attempts: 2,
    });
    expect(decideDelivery(drop('NO_MATCHING_MAPPING', 'no route'), history, policy, false)).toMatchObject({
      kind: 'filter',
      reason: 'NO_MATCHING_MAPPING',
    });
  });

  it('names the tier it publishes a retry to', () => {
    const decision = decideDelivery(http503, { attempts: 2, firstAttemptAt: now - M }, policy);
    expect(decision.kind === 'retry' && decision.tier.topic).toBe(topic('30s'));
  });

  it('retries exactly up to the window: a next attempt on its last millisecond is still made', () => {
    const atEdge = decideDelivery(http503, { attempts: 0, firstAttemptAt: now + 5 * S - 4 * H }, policy);
    const past = decideDelivery(http503, { attempts: 0, firstAttemptAt: now + 5 * S - 4 * H - 1 }, policy);
    expect([atEdge.kind, past.kind]).toEqual(['retry', 'dead-letter']);
  });
});

describe('decideRelease', () => {
  it.each([
    ['due: attempted', now, { kind: 'attempt' }],
    ['already past its not-before time: attempted', now - M, { kind: 'attempt' }],
    ['20 min before its not-before time: waits in the 30 min tier', now + 20 * M, { kind: 'wait' }],
  ])('%s', (_name, notBefore, expected) => {
    expect(decideRelease(notBefore, tiers, now)).toMatchObject(expected);
  });

  it('waits in the tier that covers the rest of the wait, the longest when none does', () => {
    const tierOf = (notBefore: number) => {
      const release = decideRelease(notBefore, tiers, now);
      return release.kind === 'wait' ? release.tier.topic : undefined;
    };
    expect(tierOf(now + 20 * M)).toBe(topic('30m'));
    expect(tierOf(now + 3 * H)).toBe(topic('1h'));
  });
});
