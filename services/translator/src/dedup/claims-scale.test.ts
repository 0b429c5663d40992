// The lookup of a re-sent messageId among a day's worth of claims, against the real MongoDB-wire
// server (FerretDB locally, where every read by _id scans the whole collection): it must stay an
// indexed operation, or each re-sent messageId stalls its partition for seconds.
import { testLogger, uniqueName } from '@manifold/testing';
import { connectTestDatabase, type TestDatabase } from '../test-support/test-database';
import { MessageClaims, type ClaimAnswer } from './claims';
import { StoreWaiter } from './store-waiter';

const CLAIMS = 300_000;

describe('MessageClaims with 300,000 claims', () => {
  let mongo: TestDatabase;

  beforeAll(async () => {
    mongo = await connectTestDatabase('claimsscale');
  });

  afterAll(async () => {
    await mongo?.drop();
  });

  it('refuses a re-sent messageId in milliseconds, whichever claim it repeats', async () => {
    const collection = uniqueName('claims');
    const logger = testLogger('claims-scale');
    const store = new MessageClaims(mongo.db, {
      windowMs: 24 * 3600_000,
      sweepIntervalMs: 3600_000,
      waiter: new StoreWaiter({ logger }),
      logger,
      collection,
    });
    await store.start();
    // Written the way the translator writes them, in bulk to keep the set-up short.
    const claimedAt = new Date();
    for (let start = 0; start < CLAIMS; start += 10_000) {
      await mongo.db.collection<{ _id: string }>(collection).insertMany(
        Array.from({ length: 10_000 }, (_, i) => ({
          _id: `hook|msg-${start + i}`,
          origin: `events/0/${start + i}`,
          claimedAt,
          expiresAt: new Date(claimedAt.getTime() + 24 * 3600_000),
        })),
        { ordered: false },
      );
    }
    expect(await mongo.db.collection(collection).estimatedDocumentCount()).toBeGreaterThanOrEqual(CLAIMS);

    const timed = async (messageId: string, origin: string): Promise<{ answer: ClaimAnswer[]; ms: number }> => {
      const started = performance.now();
      const answer = await store.claim([{ destinationId: 'hook', messageId, origin, fresh: true }]);
      return { answer, ms: performance.now() - started };
    };
    // The newest claim (last in a scan), one in the middle, the oldest; then a messageId never seen.
    for (const n of [CLAIMS - 1, CLAIMS / 2, 0]) {
      const { answer, ms } = await timed(`msg-${n}`, `events/1/${n}`);
      expect(answer).toEqual(['other']);
      // An insert refused by the unique index: about 10 ms; a scan of the collection takes seconds.
      expect(ms).toBeLessThan(250);
    }
    const { answer, ms } = await timed('msg-new', 'events/1/999999');
    expect(answer).toEqual(['new']);
    expect(ms).toBeLessThan(250);
    await store.stop();
  }, 400_000);
});
