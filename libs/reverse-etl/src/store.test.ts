// The lease, page and delivery records on a real MongoDB-wire database (FerretDB locally).
import type { DeliveryReport } from '@manifold/events';
import { connectMongo, type MongoConnection } from '@manifold/mongo';
import { requireMongo, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { outcomesReported, runDeliveries, zeroCounts, type ReverseEtlRun } from './records';
import { tallyRunDeliveries, type RunDeliveryTally } from './run-deliveries';
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

describe('delivery outcomes', () => {
  const delivering = async (expectedDeliveries: number): Promise<ReverseEtlRun> => {
    const run: ReverseEtlRun = {
      id: store.newId(),
      modelId: 'm2',
      workspaceId: 'ws',
      trigger: 'manual',
      status: 'delivering',
      phase: 'delivering',
      startedAt: new Date(Date.now() - 5000).toISOString(),
      deliveringSince: new Date().toISOString(),
      expectedDeliveries,
      counts: { added: 30, updated: 0, deleted: 1 },
      published: { added: 30, updated: 0, deleted: 1 },
      skipped: zeroCounts(),
    };
    await store.insertRun(run);
    return run;
  };
  const report = (runId: string, fields: Partial<DeliveryReport>): DeliveryReport => ({
    destinationId: 'd1',
    workspaceId: 'ws',
    outcome: 'delivered',
    count: 1,
    at: new Date().toISOString(),
    reverseEtl: { modelId: 'm2', runId, changeKind: 'added' },
    ...fields,
  });
  const refused = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, message: `HTTP 400: no ${i}` }));

  it('counts a report once however often it is read, keeps 20 failed rows, and ends the run at its last outcome', async () => {
    const run = await delivering(31);
    const reports: DeliveryReport[] = [
      report(run.id, { count: 5 }),
      report(run.id, { outcome: 'failed', reason: 'http_400', count: 15, failedRows: refused(15) }),
      report(run.id, { outcome: 'failed', reason: 'RETRIES_EXHAUSTED', count: 9, failedRows: refused(9) }),
      // No outcome of a connection: another connection's kind, a page published twice.
      report(run.id, { outcome: 'filtered', reason: 'NO_MATCHING_MAPPING', count: 30 }),
      report(run.id, { outcome: 'filtered', reason: 'DUPLICATE_MESSAGE_ID', count: 3 }),
      report(run.id, { outcome: 'retrying', reason: 'http_503', count: 2 }),
      // Another event's report (no run).
      { destinationId: 'd1', workspaceId: 'ws', outcome: 'delivered', count: 7, at: new Date().toISOString() },
    ];
    const tallies = tallyRunDeliveries(reports);
    expect([...tallies.keys()]).toEqual([run.id]);
    const tally = tallies.get(run.id) as RunDeliveryTally;
    await store.recordDeliveries(run.id, tally, { partition: 1, offset: '10' });
    await store.recordDeliveries(run.id, tally, { partition: 1, offset: '10' });
    const counted = (await store.run(run.id)) as ReverseEtlRun;
    expect(runDeliveries(counted).added).toEqual({ delivered: 5, failed: 9, deadLettered: 15, filtered: 0 });
    expect(outcomesReported(counted)).toBe(29);
    expect(counted.failedRows).toHaveLength(20);
    expect(counted.failedRows?.[0]).toMatchObject({
      key: 'k0',
      changeKind: 'added',
      destinationId: 'd1',
      outcome: 'deadLettered',
      reason: 'http_400',
      message: 'HTTP 400: no 0',
    });
    expect(await store.completeIfDelivered(run.id)).toBe(false);

    // The last two outcomes, from another partition: the run ends, with the time they took.
    const deleted = tallyRunDeliveries([
      report(run.id, { reverseEtl: { modelId: 'm2', runId: run.id, changeKind: 'deleted' } }),
      report(run.id, { count: 1 }),
    ]).get(run.id);
    await store.recordDeliveries(run.id, deleted as RunDeliveryTally, { partition: 0, offset: '3' });
    expect(await store.completeIfDelivered(run.id)).toBe(true);
    expect(await store.completeIfDelivered(run.id)).toBe(false);
    const ended = (await store.run(run.id)) as ReverseEtlRun;
    expect(ended).toMatchObject({ status: 'succeeded', phase: 'done' });
    expect(ended.durationMs).toBe(Date.parse(ended.finishedAt as string) - Date.parse(run.startedAt));
    expect(runDeliveries(ended).deleted.delivered).toBe(1);
    expect(ended.failedRows).toHaveLength(20);
    expect(ended.missingDeliveries).toBeUndefined();
  });

  it('counts a row change the runner refused once per instance, however often its page is published again', async () => {
    const run = await delivering(3);
    const tooLarge = (key: string, destinationIds: string[]) => ({
      key,
      changeKind: 'added' as const,
      destinationIds,
      reason: 'EVENT_TOO_LARGE',
      message: `row ${key} is too large`,
      at: new Date().toISOString(),
    });
    await store.recordRefusedRows(run.id, [tooLarge('k1', ['d1', 'd2'])]);
    // The page again (a resumed run), and the next page's refused row.
    await store.recordRefusedRows(run.id, [tooLarge('k1', ['d1', 'd2']), tooLarge('k2', ['d1'])]);
    expect(await store.refusedOutcomes(run.id)).toBe(3);
    const counted = (await store.run(run.id)) as ReverseEtlRun;
    expect(runDeliveries(counted).added).toEqual({ delivered: 0, failed: 0, deadLettered: 3, filtered: 0 });
    expect(
      (counted.failedRows ?? []).map((r) => `${r.key}@${r.destinationId}:${r.outcome}:${r.reason}`).sort(),
    ).toEqual([
      'k1@d1:deadLettered:EVENT_TOO_LARGE',
      'k1@d2:deadLettered:EVENT_TOO_LARGE',
      'k2@d1:deadLettered:EVENT_TOO_LARGE',
    ]);
    // Outcomes the translators report are not refused ones.
    const tally = tallyRunDeliveries([report(run.id, { count: 1 })]).get(run.id);
    await store.recordDeliveries(run.id, tally as RunDeliveryTally, { partition: 0, offset: '1' });
    expect(await store.refusedOutcomes(run.id)).toBe(3);
    expect(await store.completeIfDelivered(run.id)).toBe(true);
  });

  it('stops waiting with the deliveries still without an outcome counted missing', async () => {
    const run = await delivering(4);
    const tally = tallyRunDeliveries([report(run.id, { count: 1 })]).get(run.id);
    await store.recordDeliveries(run.id, tally as RunDeliveryTally, { partition: 0, offset: '1' });
    expect((await store.deliveringRuns()).map((r) => r.id)).toContain(run.id);
    expect(await store.stopWaiting(run.id)).toBe(true);
    expect(await store.run(run.id)).toMatchObject({ status: 'succeeded', missingDeliveries: 3 });
    expect((await store.deliveringRuns()).map((r) => r.id)).not.toContain(run.id);
  });
});
