// MessageClaims against the real MongoDB-wire server (FerretDB locally).
import { testLogger, uniqueName } from '@manifold/testing';
import { connectTestDatabase, type TestDatabase } from '../test-support/test-database';
import { MessageClaims } from './claims';
import { StoreWaiter } from './store-waiter';

describe('MessageClaims', () => {
  let mongo: TestDatabase;

  beforeAll(async () => {
    mongo = await connectTestDatabase('claims');
  });

  afterAll(async () => {
    await mongo?.drop();
  });

  const claims = (windowMs = 60_000) =>
    new MessageClaims(mongo.db, {
      windowMs,
      sweepIntervalMs: 60_000,
      waiter: new StoreWaiter({ logger: testLogger('claims') }),
      logger: testLogger('claims'),
      collection: uniqueName('claims'),
    });

  it('lets the first claim of a messageId per instance go, and its own origin again; refuses others', async () => {
    const store = claims();
    await store.start();
    const first = await store.claim([
      { destinationId: 'd1', messageId: 'm1', origin: 'events/0/10' },
      { destinationId: 'd2', messageId: 'm1', origin: 'events/0/10' },
      { destinationId: 'd1', messageId: 'm2', origin: 'events/1/4' },
    ]);
    expect(first).toEqual(['new', 'new', 'new']);

    const second = await store.claim([
      // Another event with the same messageId: a duplicate.
      { destinationId: 'd1', messageId: 'm1', origin: 'events/2/7' },
      // The same Kafka message again (redelivered after a crash, or a retry): goes ahead.
      { destinationId: 'd2', messageId: 'm1', origin: 'events/0/10' },
      { destinationId: 'd1', messageId: 'm3', origin: 'events/2/8' },
    ]);
    expect(second).toEqual(['other', 'own', 'new']);
    await store.stop();
  });

  it('refuses a claim held by another event without reading it when the event is fresh', async () => {
    const store = claims();
    await store.start();
    expect(await store.claim([{ destinationId: 'd1', messageId: 'm1', origin: 'events/0/1', fresh: true }])).toEqual([
      'new',
    ]);
    const result = await store.claim([
      { destinationId: 'd1', messageId: 'm1', origin: 'events/3/9', fresh: true },
      { destinationId: 'd1', messageId: 'm2', origin: 'events/3/10', fresh: true },
      // Read again (not fresh): its own claim lets it go.
      { destinationId: 'd1', messageId: 'm1', origin: 'events/0/1', fresh: false },
    ]);
    expect(result).toEqual(['other', 'new', 'own']);
    await store.stop();
  });

  it('refuses the second of two claims for one messageId within a batch', async () => {
    const store = claims();
    await store.start();
    const result = await store.claim([
      { destinationId: 'd1', messageId: 'dup', origin: 'events/0/1' },
      { destinationId: 'd1', messageId: 'dup', origin: 'events/1/1' },
      { destinationId: 'd1', messageId: 'other', origin: 'events/1/2' },
    ]);
    expect(result).toEqual(['new', 'other', 'new']);
    await store.stop();
  });

  it('forgets claims older than the window when swept', async () => {
    const store = claims(200);
    await store.start();
    expect(await store.claim([{ destinationId: 'd1', messageId: 'old', origin: 'events/0/1' }])).toEqual(['new']);
    await new Promise((r) => setTimeout(r, 300));
    await store.sweep();
    expect(await store.claim([{ destinationId: 'd1', messageId: 'old', origin: 'events/0/99' }])).toEqual(['new']);
    await store.stop();
  });

  it('keeps a claim with a window of its own (a webhook source’s) past the store’s window', async () => {
    const HOUR = 3600_000;
    let now = Date.UTC(2026, 11, 1, 12);
    const store = new MessageClaims(mongo.db, {
      windowMs: 24 * HOUR,
      sweepIntervalMs: 60_000,
      now: () => now,
      waiter: new StoreWaiter({ logger: testLogger('claims') }),
      logger: testLogger('claims'),
      collection: uniqueName('claims'),
    });
    await store.start();
    const stripe = { destinationId: 'd1', messageId: 'stripe-evt_1', windowMs: 96 * HOUR, fresh: true };
    const tracked = { destinationId: 'd1', messageId: 'api-1', fresh: true };
    expect(
      await store.claim([
        { ...stripe, origin: 'events/0/1' },
        { ...tracked, origin: 'events/0/2' },
      ]),
    ).toEqual(['new', 'new']);

    // Stripe sends the event again 25 hours later: the Tracking API's claim is gone, Stripe's is not.
    now += 25 * HOUR;
    await store.sweep();
    expect(
      await store.claim([
        { ...stripe, origin: 'events/1/7' },
        { ...tracked, origin: 'events/1/8' },
      ]),
    ).toEqual(['other', 'new']);

    // And 71 hours after that (96 in all) Stripe's is forgotten too.
    now += 71 * HOUR + 1000;
    await store.sweep();
    expect(await store.claim([{ ...stripe, origin: 'events/2/3' }])).toEqual(['new']);
    await store.stop();
  });

  it('gives claims written before each carried its expiry one, a window from the start', async () => {
    const collection = uniqueName('claims');
    const claimedAt = new Date(Date.now() - 1000);
    await mongo.db
      .collection<{ _id: string; origin: string; claimedAt: Date }>(collection)
      .insertOne({ _id: 'd1|legacy', origin: 'events/0/1', claimedAt });
    const store = new MessageClaims(mongo.db, {
      windowMs: 60_000,
      sweepIntervalMs: 60_000,
      waiter: new StoreWaiter({ logger: testLogger('claims') }),
      logger: testLogger('claims'),
      collection,
    });
    await store.start();
    const legacy = await mongo.db
      .collection<{ _id: string; expiresAt?: Date }>(collection)
      .findOne({ _id: 'd1|legacy' });
    expect(legacy?.expiresAt?.getTime()).toBeGreaterThanOrEqual(claimedAt.getTime() + 60_000);
    await store.sweep();
    expect(
      await store.claim([{ destinationId: 'd1', messageId: 'legacy', origin: 'events/0/2', fresh: true }]),
    ).toEqual(['other']);
    await store.stop();
  });

  it('claims a large batch in one call', async () => {
    const store = claims();
    await store.start();
    const requests = Array.from({ length: 1000 }, (_, i) => ({
      destinationId: 'd1',
      messageId: `m-${i}`,
      origin: `events/0/${i}`,
    }));
    expect((await store.claim(requests)).every((answer) => answer === 'new')).toBe(true);
    const again = await store.claim(requests.map((r) => ({ ...r, origin: `${r.origin}-other` })));
    expect(again.every((answer) => answer === 'other')).toBe(true);
    await store.stop();
  });
});
