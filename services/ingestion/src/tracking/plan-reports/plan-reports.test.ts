// What ingestion keeps between two plan reports, on its own: the bounds of the observed shapes and
// of the violation counters (the reports through Kafka: src/tracking-plans.test.ts).
import type { SpecEvent } from '@manifold/events';
import { compilePlan } from '@manifold/tracking-plans';
import { SourceObservations } from './observed-events';
import { OTHERS, ViolationTally } from './violation-tally';

const track = (event: string, properties: Record<string, unknown>, messageId = 'm'): SpecEvent =>
  ({ type: 'track', event, properties, messageId, receivedAt: '2026-12-02T10:00:00.000Z' }) as unknown as SpecEvent;

describe('observed event shapes', () => {
  it('walks a few events per kind and interval, reports each path and type once, and counts what the bounds cut', () => {
    const observations = new SourceObservations('ws', { eventsPerSource: 2, pathsPerEvent: 3, walkedPerInterval: 2 });
    observations.see(track('A', { a: 1 }));
    observations.see(track('A', { a: 'x', b: { c: true } }));
    // A third event of A this interval is not walked: its path `z` waits for a later interval.
    observations.see(track('A', { z: 1 }));
    observations.see(track('B', {}));
    observations.see(track('C', { c: 1 }));
    expect(observations.take()).toEqual({
      observed: [
        { type: 'track', event: 'A', paths: { '/a': ['number', 'string'], '/b': ['object'] } },
        { type: 'track', event: 'B', paths: {} },
      ],
      // C is beyond 2 kinds; /b/c beyond 3 paths of A.
      cut: { events: 1, paths: 1 },
    });
    observations.see(track('A', { a: 2, z: 1 }));
    expect(observations.take()).toEqual({ observed: [], cut: { events: 0, paths: 1 } });
    observations.see(track('B', {}));
    expect(observations.take()).toBeUndefined();
  });
});

describe('violation counters', () => {
  const plan = compilePlan({
    id: 'tp',
    version: 3,
    workspaceId: 'ws',
    name: 'p',
    sourceIds: [],
    events: { Known: { type: 'object', properties: { n: { type: 'number' } } } },
    policies: { unplannedEvents: 'allow', unplannedProperties: 'allow', violations: 'allow' },
  });
  const count = (tally: ViolationTally, event: SpecEvent) =>
    tally.add(plan, event, plan.check(event as never), event.properties, event.receivedAt);

  it('count per rule and path with three samples each, and past a thousand counters under (others)', () => {
    const tally = new ViolationTally();
    for (let i = 0; i < 5; i++) count(tally, track('Known', { n: `s${i}` }, `m${i}`));
    const [counter] = tally.take();
    expect(counter).toMatchObject({ planVersion: 3, eventName: 'Known', rule: 'type', path: '/n', count: 5 });
    expect(counter?.samples.map((s) => [s.messageId, s.value])).toEqual([
      ['m0', '"s0"'],
      ['m1', '"s1"'],
      ['m2', '"s2"'],
    ]);
    expect(tally.take()).toEqual([]);
    for (let i = 0; i < 1005; i++) count(tally, track(`Random ${i}`, {}));
    const counters = tally.take();
    expect(counters).toHaveLength(1001);
    expect(counters.find((c) => c.eventName === OTHERS)).toMatchObject({ rule: 'unplanned_event', count: 5 });
  });

  it('samples the values a drop_property policy removed, as the sender sent them (credentials masked)', () => {
    const dropping = compilePlan({
      id: 'tp',
      version: 4,
      workspaceId: 'ws',
      name: 'p',
      sourceIds: [],
      events: {
        Known: {
          type: 'object',
          properties: { n: { type: 'number' }, address: { type: 'object', properties: { zip: { type: 'string' } } } },
        },
      },
      policies: { unplannedEvents: 'allow', unplannedProperties: 'drop_property', violations: 'drop_property' },
    });
    const tally = new ViolationTally();
    const event = track('Known', { n: 'seven', address: { zip: 12345 }, apiToken: 'tok_1', extra: [1, 2] });
    const verdict = dropping.check(event as never);
    expect(verdict.dropped.sort()).toEqual(['/address/zip', '/apiToken', '/extra', '/n']);
    // Gone from the event, yet each sample shows what was sent.
    expect(event.properties).toEqual({ address: {} });
    tally.add(dropping, event, verdict, event.properties, event.receivedAt);
    const samples = Object.fromEntries(tally.take().map((c) => [c.path, c.samples[0]?.value]));
    expect(samples).toEqual({
      '/n': '"seven"',
      '/address/zip': '12345',
      '/apiToken': '********',
      '/extra': '[2 items]',
    });
  });
});
