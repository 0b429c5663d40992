import { sampleEvents } from '@manifold/warehouse/testing';
import { backoffDelay } from './backoff';
import { PendingEvents, type PendingEvent } from './pending-events';

const pending = (partition: number, offset: number): PendingEvent => {
  const event = sampleEvents.track();
  return {
    body: Buffer.from(JSON.stringify(event)),
    messageId: event.messageId,
    partition,
    offset: BigInt(offset),
    readAt: Date.now(),
  };
};

describe('PendingEvents commit points', () => {
  it('commits past messages for other warehouses, and holds back at the earliest unloaded event', () => {
    const events = new PendingEvents('t');
    for (let o = 0; o < 5; o++) events.seen(0, BigInt(o));
    events.seen(1, 7n);
    expect(events.commitPoints()).toEqual([
      { topic: 't', partition: 0, offset: '5' },
      { topic: 't', partition: 1, offset: '8' },
    ]);
    events.markCommitted(events.commitPoints());
    expect(events.commitPoints()).toEqual([]);

    events.seen(0, 5n);
    events.add('s1', pending(0, 5));
    events.seen(0, 6n);
    events.add('s2', pending(0, 6));
    events.seen(0, 7n);
    expect(events.commitPoints()).toEqual([]);

    const taken = events.takeAll();
    expect(events.size).toBe(0);
    // While in flight, nothing past the in-flight events may be committed.
    expect(events.commitPoints(taken.values())).toEqual([]);
    // s1 loaded, s2 failed and is given back: commit up to s2's event.
    events.giveBack('s2', taken.get('s2') ?? []);
    expect(events.size).toBe(1);
    const upToFailed = events.commitPoints();
    expect(upToFailed).toEqual([{ topic: 't', partition: 0, offset: '6' }]);
    events.markCommitted(upToFailed);
    events.takeAll();
    expect(events.commitPoints()).toEqual([{ topic: 't', partition: 0, offset: '8' }]);
  });
});

describe('backoffDelay', () => {
  it('doubles up to the cap, with jitter', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 10].map((a) => backoffDelay(a, { initialMs: 100, maxMs: 1000 }, mid))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
    expect(backoffDelay(1, { initialMs: 100, maxMs: 1000 }, () => 0)).toBe(80);
  });
});
