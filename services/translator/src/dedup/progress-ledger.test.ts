// ProgressLedger against the real MongoDB-wire server (FerretDB locally).
import { connectMongo, type MongoConnection } from '@manifold/mongo';
import { requireMongo, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { ProgressLedger } from './progress-ledger';
import { StoreWaiter } from './store-waiter';

describe('ProgressLedger', () => {
  let mongo: MongoConnection;
  const logger = testLogger('progress-ledger');
  const goOn = () => true;

  beforeAll(async () => {
    const { mongoUrl } = testInfrastructure();
    await requireMongo(mongoUrl);
    mongo = await connectMongo({
      url: mongoUrl,
      database: uniqueName('progress').replace(/[^a-z0-9]/gi, ''),
      appName: 'progress-ledger-test',
      logger,
    });
  });

  afterAll(async () => {
    await mongo?.db.dropDatabase();
    await mongo?.close();
  });

  const ledger = (collection: string) =>
    new ProgressLedger(mongo.db, {
      windowMs: 60_000,
      sweepIntervalMs: 60_000,
      waiter: new StoreWaiter({ logger }),
      logger,
      collection,
    });

  it('tells offsets an earlier read took from new ones, to this process and to another', async () => {
    const collection = uniqueName('progress');
    const one = ledger(collection);
    await one.start();
    const first = one.batch('g|events|0', 1, '10', goOn);
    await first.load();
    expect(first.takenBefore('15')).toBe(false);
    await first.take('10', '20');

    // Read again from the same committed offset: by this process, and by another after a rebalance.
    const again = one.batch('g|events|0', 1, '10', goOn);
    await again.load();
    expect([again.takenBefore('10'), again.takenBefore('20'), again.takenBefore('21')]).toEqual([true, true, false]);
    const other = ledger(collection);
    await other.start();
    const elsewhere = other.batch('g|events|0', 7, '10', goOn);
    await elsewhere.load();
    expect(elsewhere.takenBefore('15')).toBe(true);
    // Another partition knows nothing of it.
    const otherPartition = other.batch('g|events|1', 7, '10', goOn);
    await otherPartition.load();
    expect(otherPartition.takenBefore('15')).toBe(false);
    await other.stop();
    await one.stop();
  });

  it('reads the partition again after the consumer rejoined its group', async () => {
    const collection = uniqueName('progress');
    const one = ledger(collection);
    const other = ledger(collection);
    await one.start();
    await other.start();
    const mine = one.batch('g|events|0', 1, '0', goOn);
    await mine.load();
    await mine.take('0', '5');
    // Meanwhile another member had the partition and took more of it.
    const theirs = other.batch('g|events|0', 1, '0', goOn);
    await theirs.load();
    await theirs.take('0', '9');
    const sameAssignment = one.batch('g|events|0', 1, '0', goOn);
    await sameAssignment.load();
    expect(sameAssignment.takenBefore('8')).toBe(false);
    const rejoined = one.batch('g|events|0', 2, '0', goOn);
    await rejoined.load();
    expect(rejoined.takenBefore('8')).toBe(true);
    await other.stop();
    await one.stop();
  });

  it('deletes the records of offsets the group has committed past', async () => {
    const collection = uniqueName('progress');
    const one = ledger(collection);
    await one.start();
    const first = one.batch('g|events|0', 1, '0', goOn);
    await first.load();
    await first.take('0', '9');
    const next = one.batch('g|events|0', 1, '10', goOn);
    await next.load();
    await next.take('10', '19');
    await one.prune();
    const left = await mongo.db.collection(collection).find({ stream: 'g|events|0' }).toArray();
    expect(left.map((r) => [r['from'], r['to']])).toEqual([[10, 19]]);
    await one.stop();
  });
});
