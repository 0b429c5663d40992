// The lookup of a re-sent messageId among a day's worth of claims, against the real MongoDB-wire
// server (FerretDB locally, where every read by _id scans the whole collection): it must stay an
// indexed operation, or each re-sent messageId stalls its partition for seconds.
import { connectMongo, type MongoConnection } from '@manifold/mongo';
import { requireMongo, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { MessageClaims } from './claims';
import { StoreWaiter } from './store-waiter';

const CLAIMS = 300_000;

describe('MessageClaims with 300,000 claims', () => {
  let mongo: MongoConnection;

  beforeAll(async () => {
    const { mongoUrl } = testInfrastructure();
    await requireMongo(mongoUrl);
    mongo = await connectMongo({
      url: mongoUrl,
      database: uniqueName('claimsscale').replace(/[^a-z0-9]/gi, ''),
      appName: 'claims-scale-test',
      logger: testLogger('claims-scale'),
    });
  });

  afterAll(async () => {
    await mongo?.db.dropDatabase();
    await mongo?.close();
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
        })),
        { ordered: false },
      );
    }
    expect(await mongo.db.collection(collection).estimatedDocumentCount()).toBeGreaterThanOrEqual(CLAIMS);

    const timed = async (messageId: string, origin: string): Promise<{ allowed: boolean[]; ms: number }> => {
      const started = performance.now();
      const allowed = await store.claim([{ destinationId: 'hook', messageId, origin, fresh: true }]);
      return { allowed, ms: performance.now() - started };
    };
    // The newest claim (last in a scan), one in the middle, the oldest; then a messageId never seen.
    for (const n of [CLAIMS - 1, CLAIMS / 2, 0]) {
      const { allowed, ms } = await timed(`msg-${n}`, `events/1/${n}`);
      expect(allowed).toEqual([false]);
      // An insert refused by the unique index: about 10 ms; a scan of the collection takes seconds.
      expect(ms).toBeLessThan(250);
    }
    const { allowed, ms } = await timed('msg-new', 'events/1/999999');
    expect(allowed).toEqual([true]);
    expect(ms).toBeLessThan(250);
    await store.stop();
  }, 400_000);
});
