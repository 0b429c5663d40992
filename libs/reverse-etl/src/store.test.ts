// The lease and page records on a real MongoDB-wire database (FerretDB locally).
import { connectMongo, type MongoConnection } from '@manifold/mongo';
import { requireMongo, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { zeroCounts, type ReverseEtlRun } from './records';
import { ReverseEtlStore } from './store';

let mongo: MongoConnection;
let store: ReverseEtlStore;

beforeAll(async () => {
  await requireMongo(testInfrastructure().mongoUrl);
  mongo = await connectMongo({
    url: testInfrastructure().mongoUrl,
    database: uniqueName('retlstore').replace(/[^a-z0-9]/gi, ''),
    appName: 'reverse-etl-store-test',
    logger: testLogger('reverse-etl-store'),
  });
  store = new ReverseEtlStore(mongo.db);
  await store.ensureIndexes();
});

afterAll(async () => {
  await mongo.db.dropDatabase();
  await mongo.close();
});

it('gives a model lease to one holder at a time until it expires or is released', async () => {
  const now = Date.now();
  expect(await store.acquireLease('m1', 'a', 1000, now)).toBe(true);
  expect(await store.acquireLease('m1', 'b', 1000, now + 10)).toBe(false);
  expect(await store.acquireLease('m1', 'a', 1000, now + 500)).toBe(true);
  expect(await store.acquireLease('m1', 'b', 1000, now + 1400)).toBe(false);
  expect(await store.acquireLease('m1', 'b', 1000, now + 1600)).toBe(true);
  await store.releaseLease('m1', 'a');
  expect(await store.acquireLease('m1', 'a', 1000, now + 1700)).toBe(false);
  await store.releaseLease('m1', 'b');
  expect(await store.acquireLease('m1', 'a', 1000, now + 1700)).toBe(true);
});

it('counts a page once: recording it again from the same previous key changes nothing', async () => {
  const run: ReverseEtlRun = {
    id: store.newId(),
    modelId: 'm1',
    workspaceId: 'ws',
    trigger: 'manual',
    status: 'running',
    phase: 'publishing',
    startedAt: new Date().toISOString(),
    counts: { added: 4, updated: 0, deleted: 1 },
    published: zeroCounts(),
    skipped: zeroCounts(),
  };
  await store.insertRun(run);
  await store.recordPage(run.id, undefined, 'k2', { added: 2 }, {});
  await store.recordPage(run.id, undefined, 'k2', { added: 2 }, {});
  await store.recordPage(run.id, 'k2', 'k5', { added: 2 }, { deleted: 1 });
  expect(await store.run(run.id)).toMatchObject({
    lastKey: 'k5',
    published: { added: 4, updated: 0, deleted: 0 },
    skipped: { added: 0, updated: 0, deleted: 1 },
  });
  expect(await store.unfinishedRun('m1')).toMatchObject({ id: run.id });
});
