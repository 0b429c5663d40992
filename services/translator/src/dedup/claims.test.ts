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
