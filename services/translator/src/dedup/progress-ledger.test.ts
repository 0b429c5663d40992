// ProgressLedger against the real MongoDB-wire server (FerretDB locally).
import { testLogger, uniqueName } from '@manifold/testing';
import { connectTestDatabase, type TestDatabase } from '../test-support/test-database';
import { ProgressLedger } from './progress-ledger';
import { StoreWaiter } from './store-waiter';

describe('ProgressLedger', () => {
  let mongo: TestDatabase;
  const logger = testLogger('progress-ledger');
  const goOn = () => true;

  beforeAll(async () => {
    mongo = await connectTestDatabase('progress');
  });

  afterAll(async () => {
    await mongo?.drop();
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
    first.end();

    // Read again from the same committed offset: by this process, and by another after a rebalance.
    const again = one.batch('g|events|0', 1, '10', goOn);
    await again.load();
    expect([again.takenBefore('10'), again.takenBefore('20'), again.takenBefore('21')]).toEqual([true, true, false]);
    again.end();
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

  it('tells which messages an earlier read finished, per destination instance', async () => {
    const collection = uniqueName('progress');
    const one = ledger(collection);
    await one.start();
    const first = one.batch('g|events|0', 1, '0', goOn);
    await first.load();
    await first.take('0', '20');
    await first.finish(['3', '4', '5', '9'].map((offset) => ({ offset, instance: 'a' })));
    await first.finish([{ offset: '9', instance: 'b' }]);
    await first.finish([]);
    first.end();
    const other = ledger(collection);
    await other.start();
    const again = other.batch('g|events|0', 1, '0', goOn);
    await again.load();
    const asked = [
      ['3', 'a'],
      ['5', 'a'],
      ['6', 'a'],
      ['9', 'a'],
      ['9', 'b'],
      ['4', 'b'],
    ] as const;
    expect(asked.map(([offset, instance]) => again.finishedBefore(offset, instance))).toEqual([
      true,
      true,
      false,
      true,
      true,
      false,
    ]);
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
    mine.end();
    // Meanwhile another member had the partition and took more of it.
    const theirs = other.batch('g|events|0', 1, '0', goOn);
    await theirs.load();
    await theirs.take('0', '9');
    const sameAssignment = one.batch('g|events|0', 1, '0', goOn);
    await sameAssignment.load();
    expect(sameAssignment.takenBefore('8')).toBe(false);
    sameAssignment.end();
    const rejoined = one.batch('g|events|0', 2, '0', goOn);
    await rejoined.load();
    expect(rejoined.takenBefore('8')).toBe(true);
    await other.stop();
    await one.stop();
  });

  it('lets a batch of a partition load only once the batch of it begun before has ended', async () => {
    const collection = uniqueName('progress');
    const one = ledger(collection);
    await one.start();
    const old = one.batch('g|events|0', 1, '0', goOn);
    await old.load();
    await old.take('0', '9');
    // The consumer was restarted while the old batch still delivers: the new one waits for it.
    const reread = one.batch('g|events|0', 2, '0', goOn);
    let loaded = false;
    const loading = reread.load().then(() => (loaded = true));
    const otherPartition = one.batch('g|events|1', 2, '0', goOn);
    await otherPartition.load();
    await new Promise((r) => setTimeout(r, 200));
    expect(loaded).toBe(false);
    await old.finish([{ offset: '4', instance: 'a' }]);
    old.end();
    await loading;
    expect(reread.finishedBefore('4', 'a')).toBe(true);
    reread.end();
    otherPartition.end();
    await one.stop();
  });

  it('writes taken records ahead, and deletes them once the group has committed past them', async () => {
    const collection = uniqueName('progress');
    const one = ledger(collection);
    await one.start();
    const records = () =>
      mongo.db
        .collection(collection)
        .find({ stream: 'g|events|0' })
        .toArray()
        .then((found) => found.map((r) => [r['from'], r['to']]));
    const first = one.batch('g|events|0', 1, '0', goOn);
    await first.load();
    await first.take('0', '9');
    first.end();
    // The next batches are covered by the record the first one wrote ahead.
    const next = one.batch('g|events|0', 1, '10', goOn);
    await next.load();
    await next.take('10', '19');
    expect(next.takenBefore('15')).toBe(false);
    next.end();
    expect(await records()).toEqual([[0, 2009]]);
    // A batch past it writes the next one, and the first is committed past.
    const later = one.batch('g|events|0', 1, '2010', goOn);
    await later.load();
    await later.take('2010', '2019');
    later.end();
    await one.prune();
    expect(await records()).toEqual([[2010, 4019]]);
    await one.stop();
  });
});
