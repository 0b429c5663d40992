import { TranslatorNames } from '../topics';
import { planRetry, tierForWait } from './backoff';

const tiers = new TranslatorNames().retryTiers('mixpanel', [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000]);
const now = 1_000_000;

describe('planRetry', () => {
  it('names the tiers after the type and delay', () => {
    expect(tiers.map((t) => t.topic)).toEqual([
      'manifold.retry.mixpanel.5s.v1',
      'manifold.retry.mixpanel.30s.v1',
      'manifold.retry.mixpanel.2m.v1',
      'manifold.retry.mixpanel.10m.v1',
      'manifold.retry.mixpanel.30m.v1',
      'manifold.retry.mixpanel.1h.v1',
    ]);
  });

  it('doubles the wait per attempt from the shortest tier, randomized by ±50 %, to the nearest tier', () => {
    const plan = (attempts: number, r: number) => planRetry({ attempts, tiers, now, random: () => r });
    expect(plan(1, 0.5).tier.delayMs).toBe(5_000); // 5 s
    expect(plan(1, 0.99).tier.delayMs).toBe(5_000); // 7.45 s: nearer 5 s than 30 s
    expect(plan(2, 0.5).tier.delayMs).toBe(5_000); // 10 s: ×2 from 5 s, ×3 from 30 s
    expect(plan(3, 0.5).tier.delayMs).toBe(30_000); // 20 s
    expect(plan(4, 0.5).tier.delayMs).toBe(30_000); // 40 s
    expect(plan(5, 0.5).tier.delayMs).toBe(120_000); // 80 s
    expect(plan(8, 0.5).tier.delayMs).toBe(600_000); // 640 s
    expect(plan(9, 0.5).tier.delayMs).toBe(1_800_000); // 1280 s
    expect(plan(12, 0.5).tier.delayMs).toBe(3_600_000); // capped at the longest tier
    expect(plan(1, 0.99)).toMatchObject({ dueAt: now + 5_000, notBefore: now + 5_000 });
  });

  it('never retries sooner than Retry-After, and marks waits beyond the longest tier', () => {
    const honoured = planRetry({ attempts: 1, retryAfterMs: 45_000, tiers, now, random: () => 0 });
    expect(honoured.tier.delayMs).toBe(120_000);
    expect(honoured.notBefore).toBe(now + 120_000);
    // 35 s is nearer 30 s, but a tier shorter than Retry-After is no candidate.
    expect(planRetry({ attempts: 1, retryAfterMs: 35_000, tiers, now, random: () => 0 }).tier.delayMs).toBe(120_000);
    // A late attempt's backoff (about 10 min) stays above a short Retry-After.
    expect(planRetry({ attempts: 8, retryAfterMs: 1_000, tiers, now, random: () => 0.5 }).tier.delayMs).toBe(600_000);
    const long = planRetry({ attempts: 1, retryAfterMs: 7_200_000, tiers, now, random: () => 0 });
    expect(long.tier.delayMs).toBe(3_600_000);
    expect(long.dueAt).toBe(now + 3_600_000);
    expect(long.notBefore).toBe(now + 7_200_000);
    expect(tierForWait(3_600_000, tiers).delayMs).toBe(3_600_000);
    expect(tierForWait(20_000, tiers).delayMs).toBe(30_000);
  });

  it('spreads retries of the same attempt over more than one tier', () => {
    let seed = 1;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const chosen = new Set(
      Array.from({ length: 200 }, () => planRetry({ attempts: 3, tiers, now, random }).tier.delayMs),
    );
    expect(chosen).toEqual(new Set([5_000, 30_000]));
    const first = new Set(
      Array.from({ length: 200 }, () => planRetry({ attempts: 1, tiers, now, random }).tier.delayMs),
    );
    expect(first).toEqual(new Set([5_000]));
  });
});
