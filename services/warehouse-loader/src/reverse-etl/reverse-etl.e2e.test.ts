// Reverse ETL end to end: a model's query in a real warehouse (PostgreSQL, DuckDB) diffed by the
// runner, its row changes published to real Kafka as events of the model, delivered by a real
// translator to webhook emulators through the instance mappings the connections become.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryConfigView, type WarehouseConfig } from '@manifold/config-client';
import { WebhookEmulator, type WebhookEmulatorOptions } from '@manifold/emulators';
import { KafkaNames } from '@manifold/events';
import type { EventProducer } from '@manifold/kafka';
import {
  connectionMapping,
  ReverseEtlStore,
  runDeliveries,
  type ReverseEtlConnection,
  type ReverseEtlModel,
  type ReverseEtlRun,
} from '@manifold/reverse-etl';
import { runWarehouseSql } from '@manifold/warehouse/testing';
import { eventually, waitFor, requirePostgres, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { connectTestDatabase, type TestDatabase } from '../../../translator/src/test-support/test-database';
import {
  destination,
  presetsOf,
  snapshot,
  startTestTranslator,
  type TestTranslator,
} from '../../../translator/src/test-support/harness';
import { startReverseEtlRunner, type ReverseEtlRunner } from './reverse-etl-runner';
import { startRunDeliveriesConsumer } from './run-deliveries-consumer';

const logger = testLogger('reverse-etl-e2e');
const WORKSPACE = 'ws-acme';

let translator: TestTranslator;
let db: TestDatabase;
let store: ReverseEtlStore;
let producer: EventProducer;
const emulators: WebhookEmulator[] = [];
let tempDir: string;
const config = new InMemoryConfigView({ version: 1, sources: [], destinations: [], warehouses: [] });
const runners: ReverseEtlRunner[] = [];
let runDeliveriesConsumer: { stop(): Promise<void> };

/** What the two webhook instances got, batches unrolled: each row change as its mapping made it. */
const received = (hook: WebhookEmulator) =>
  hook.deliveries.flatMap((d) => (Array.isArray(d.body) ? d.body : [d.body])) as Array<Record<string, unknown>>;

beforeAll(async () => {
  await requirePostgres(testInfrastructure().warehousePostgresUrl);
  tempDir = await mkdtemp(join(tmpdir(), 'manifold-retl-e2e-'));
  translator = await startTestTranslator({ snapshot: snapshot([]) });
  producer = await translator.kafka.producer();
  db = await connectTestDatabase('retle2e');
  store = new ReverseEtlStore(db.db);
  await store.ensureIndexes();
  // As the loader runs it: the translator's delivery reports counted into the runs.
  runDeliveriesConsumer = await startRunDeliveriesConsumer({
    kafka: translator.kafka,
    names: new KafkaNames(translator.settings.namespace),
    store,
    logger,
  });
}, 60000);

afterAll(async () => {
  await Promise.all(runners.map((r) => r.stop()));
  await runDeliveriesConsumer?.stop();
  await producer?.disconnect();
  await translator?.close();
  await db?.drop();
  await Promise.all(emulators.map((e) => e.close()));
  await rm(tempDir, { recursive: true, force: true });
});

function startRunner(checkIntervalMs = 3600000, deliveryTimeoutMs?: number): ReverseEtlRunner {
  const runner = startReverseEtlRunner({
    store,
    config,
    producer,
    eventsTopic: translator.settings.eventsTopic,
    logger,
    checkIntervalMs,
    pageSize: 5,
    ...(deliveryTimeoutMs !== undefined ? { deliveryTimeoutMs } : {}),
  });
  runners.push(runner);
  return runner;
}

interface Warehouse {
  config: WarehouseConfig;
  exec(sql: string): Promise<void>;
}

const warehouses: Array<[string, () => Warehouse]> = [
  [
    'postgres',
    () => ({
      config: warehouseConfig('postgres', { url: testInfrastructure().warehousePostgresUrl }),
      exec: (sql) => runWarehouseSql({ postgresUrl: testInfrastructure().warehousePostgresUrl }, sql),
    }),
  ],
  [
    'duckdb',
    () => {
      const path = join(tempDir, `${uniqueName('wh')}.duckdb`);
      return {
        config: warehouseConfig('duckdb', { path }),
        exec: (sql) => runWarehouseSql({ duckdbPath: path }, sql),
      };
    },
  ],
];

function warehouseConfig(kind: string, settings: Record<string, unknown>): WarehouseConfig {
  return {
    id: uniqueName(`wh-${kind}`),
    workspaceId: WORKSPACE,
    name: kind,
    enabled: true,
    kind,
    settings,
    syncIntervalSeconds: 3600,
    sourceIds: [],
  };
}

interface ModelSetup {
  model: ReverseEtlModel;
  table: string;
  /** Receives added and updated rows (mapped as "upsert"). */
  upserts: WebhookEmulator;
  /** Receives deleted rows (mapped as "remove"). */
  removals: WebhookEmulator;
}

/**
 * A model on a customers table of its own, with two connections: added and updated rows to one
 * webhook instance, deleted rows to another (each a destination instance whose mapping the
 * connection becomes, as the control plane saves it).
 */
async function setUpModel(
  warehouse: Warehouse,
  rowsPerSecond = 1000,
  schedule: ReverseEtlModel['schedule'] = { kind: 'manual' },
  options: {
    /** How the upserts receiver answers (e.g. refusing some rows). */
    upserts?: WebhookEmulatorOptions;
    /** False: the translator is not told of the instances (as if their translator were down). */
    delivered?: boolean;
    /** The instances also have the webhook's presets, as one created in the console does. */
    presets?: boolean;
  } = {},
): Promise<ModelSetup> {
  const table = uniqueName('customers').replace(/[^a-z0-9_]/g, '_');
  await warehouse.exec('CREATE SCHEMA IF NOT EXISTS crm');
  await warehouse.exec(`CREATE TABLE crm.${table} (id INTEGER, email VARCHAR, ltv DOUBLE PRECISION)`);
  const now = new Date().toISOString();
  const model: ReverseEtlModel = {
    id: uniqueName('model'),
    workspaceId: WORKSPACE,
    name: 'Customers',
    warehouseId: warehouse.config.id,
    sql: `SELECT id, email, ltv FROM crm.${table}`,
    identifierColumn: 'id',
    schedule,
    enabled: true,
    startFromNow: false,
    createdAt: now,
    updatedAt: now,
  };
  const connection = (
    name: string,
    kinds: ReverseEtlConnection['changeKinds'],
    kind: string,
  ): ReverseEtlConnection => ({
    id: uniqueName(name),
    workspaceId: WORKSPACE,
    modelId: model.id,
    destinationId: uniqueName(`dest-${name}`),
    changeKinds: kinds,
    action: 'send',
    fields: {
      data: {
        kind,
        change: { '@path': '$.event' },
        customer: { '@path': '$.properties.id' },
        email: { '@path': '$.properties.email' },
        ltv: { '@path': '$.properties.ltv' },
        messageId: { '@path': '$.messageId' },
      },
    },
    enabled: true,
    rowsPerSecond,
  });
  const upserts = await new WebhookEmulator(options.upserts).start();
  const removals = await new WebhookEmulator().start();
  emulators.push(upserts, removals);
  const toUpserts = connection('upserts', ['added', 'updated'], 'upsert');
  const toRemovals = connection('removals', ['deleted'], 'remove');
  await store.saveModel(model);
  await store.saveConnection(toUpserts);
  await store.saveConnection(toRemovals);
  const instance = (c: ReverseEtlConnection, hook: WebhookEmulator) =>
    destination({
      id: c.destinationId,
      catalogId: 'webhook',
      catalogName: 'Webhook',
      settings: { url: `${hook.baseUrl}/in` },
      sourceIds: [model.id],
      mappings: [...(options.presets ? presetsOf('webhook') : []), connectionMapping(c, model.name)],
    });
  const current = config.snapshot();
  const next = {
    version: current.version + 1,
    sources: current.sources,
    destinations: [...current.destinations, instance(toUpserts, upserts), instance(toRemovals, removals)],
    warehouses: [...current.warehouses.filter((w) => w.id !== warehouse.config.id), warehouse.config],
  };
  config.replace(next);
  if (options.delivered !== false) translator.configView.replace(next);
  return { model, table, upserts, removals };
}

/** Starts a run and resolves once it published every change (it may still be delivering them). */
async function startRun(runner: ReverseEtlRunner, model: ReverseEtlModel): Promise<ReverseEtlRun> {
  const before = (await store.runsOf(model.id, 1))[0]?.startedAt ?? '';
  // "Run now" must be later than the last run's start, to the millisecond.
  await new Promise((resolve) => setTimeout(resolve, 2));
  await store.requestRun(model.id, new Date().toISOString());
  await runner.checkNow();
  const [run] = await store.runsOf(model.id, 1);
  if (!run || run.startedAt <= before) throw new Error('no run started');
  return run;
}

/** The run once it has ended: every delivery has an outcome (or it failed). */
async function ended(runId: string): Promise<ReverseEtlRun> {
  const run = await eventually(
    () => store.run(runId),
    (r) => r !== undefined && r.status !== 'delivering' && r.status !== 'running',
    20000,
  );
  return run as ReverseEtlRun;
}

/** A run from "run now" to its end. */
async function runNow(runner: ReverseEtlRunner, model: ReverseEtlModel): Promise<ReverseEtlRun> {
  return ended((await startRun(runner, model)).id);
}

/** Resolves once the translator consumed everything published so far (nothing more can arrive). */
async function allConsumed(): Promise<void> {
  await waitFor(
    async () => (await translator.kafka.consumerLag()).every((l) => l.lag === 0),
    20000,
    'the translator to consume every published row change',
  );
}

async function deliveries(hook: WebhookEmulator, count: number): Promise<Array<Record<string, unknown>>> {
  return eventually(
    async () => received(hook),
    (bodies) => bodies.length >= count,
    20000,
  );
}

describe.each(warehouses)('reverse ETL from %s', (_kind, makeWarehouse) => {
  it('sends added, updated and deleted rows to their connection once each, and nothing when nothing changed', async () => {
    const warehouse = makeWarehouse();
    const { model, table, upserts, removals } = await setUpModel(warehouse);
    const runner = startRunner();
    await warehouse.exec(`INSERT INTO crm.${table} VALUES (1, 'a@x.io', 10.5), (2, 'b@x.io', NULL), (3, 'c@x.io', 3)`);

    const first = await runNow(runner, model);
    expect(first).toMatchObject({
      status: 'succeeded',
      trigger: 'manual',
      counts: { added: 3, updated: 0, deleted: 0 },
      published: { added: 3, updated: 0, deleted: 0 },
    });
    const added = await deliveries(upserts, 3);
    expect(
      added
        .map(({ kind, change, customer, email, ltv }) => ({ kind, change, customer, email, ltv }))
        .sort((a, b) => (a.customer as number) - (b.customer as number)),
    ).toEqual([
      { kind: 'upsert', change: 'new', customer: 1, email: 'a@x.io', ltv: 10.5 },
      { kind: 'upsert', change: 'new', customer: 2, email: 'b@x.io', ltv: null },
      { kind: 'upsert', change: 'new', customer: 3, email: 'c@x.io', ltv: 3 },
    ]);

    await warehouse.exec(`UPDATE crm.${table} SET ltv = 20 WHERE id = 2`);
    await warehouse.exec(`DELETE FROM crm.${table} WHERE id = 3`);
    await warehouse.exec(`INSERT INTO crm.${table} VALUES (4, 'd@x.io', 1)`);
    const second = await runNow(runner, model);
    expect(second).toMatchObject({ status: 'succeeded', counts: { added: 1, updated: 1, deleted: 1 } });
    // Each change once at the instance taking its kind (the other instance's "no mapping" is no outcome).
    expect(second).toMatchObject({ expectedDeliveries: 3 });
    expect(second.failedRows ?? []).toEqual([]);
    expect(second.missingDeliveries).toBeUndefined();
    const none = { failed: 0, deadLettered: 0, filtered: 0 };
    expect(runDeliveries(second)).toEqual({
      added: { delivered: 1, ...none },
      updated: { delivered: 1, ...none },
      deleted: { delivered: 1, ...none },
    });
    const changed = await deliveries(upserts, 5);
    const removed = await deliveries(removals, 1);
    expect(
      changed
        .slice(3)
        .map((b) => [b.change, b.customer, b.ltv])
        .sort(),
    ).toEqual([
      ['new', 4, 1],
      ['updated', 2, 20],
    ]);
    // A deleted row: its identifier, its other columns null (not its last values).
    expect(removed.map(({ kind, change, customer, email, ltv }) => ({ kind, change, customer, email, ltv }))).toEqual([
      { kind: 'remove', change: 'deleted', customer: 3, email: null, ltv: null },
    ]);

    const third = await runNow(runner, model);
    expect(third).toMatchObject({
      status: 'succeeded',
      counts: { added: 0, updated: 0, deleted: 0 },
      published: { added: 0, updated: 0, deleted: 0 },
    });
    await allConsumed();
    expect(received(upserts)).toHaveLength(5);
    expect(received(removals)).toHaveLength(1);
    expect(new Set(received(upserts).map((b) => b.messageId)).size).toBe(5);
  });

  it('sends an integer identifier beyond 2^53 digit for digit, which a translator would otherwise round', async () => {
    const warehouse = makeWarehouse();
    const { model, table, upserts } = await setUpModel(warehouse);
    // A BIGINT id as warehouses hold them (snowflake-style): 1 → 1234567890123456789.
    const bigIds = {
      ...model,
      sql: `SELECT CAST(id AS BIGINT) * 1000000000000000000 + 234567890123456789 AS id, email, ltv FROM crm.${table}`,
    };
    await store.saveModel(bigIds);
    await warehouse.exec(`INSERT INTO crm.${table} VALUES (1, 'a@x.io', 10.5), (2, 'b@x.io', 2)`);
    const run = await runNow(startRunner(), bigIds);
    expect(run).toMatchObject({ status: 'succeeded', counts: { added: 2 } });
    const added = await deliveries(upserts, 2);
    // As strings of their digits: as numbers, the webhook would have got 1234567890123456800.
    expect(added.map((b) => b.customer).sort()).toEqual(['1234567890123456789', '2234567890123456789']);
    expect(added.map((b) => b.ltv).sort()).toEqual([10.5, 2]);
  });

  it("sends each row change once to instances that also have the presets: only their connection's mapping takes it", async () => {
    const warehouse = makeWarehouse();
    const { model, table, upserts, removals } = await setUpModel(
      warehouse,
      1000,
      { kind: 'manual' },
      { presets: true },
    );
    const runner = startRunner();
    await warehouse.exec(`INSERT INTO crm.${table} VALUES (1, 'a@x.io', 1), (2, 'b@x.io', 2)`);
    expect(await runNow(runner, model)).toMatchObject({ status: 'succeeded', expectedDeliveries: 2 });
    await warehouse.exec(`DELETE FROM crm.${table} WHERE id = 1`);
    expect(await runNow(runner, model)).toMatchObject({ status: 'succeeded', expectedDeliveries: 1 });
    await allConsumed();
    // One request per row change, each the connection's (the presets would send the whole event).
    expect(upserts.deliveries).toHaveLength(2);
    expect(
      received(upserts)
        .map((b) => [b.kind, b.customer])
        .sort(),
    ).toEqual([
      ['upsert', 1],
      ['upsert', 2],
    ]);
    expect(removals.deliveries).toHaveLength(1);
    expect(received(removals).map((b) => [b.kind, b.customer])).toEqual([['remove', 1]]);
  });

  it('cancels a run between pages when its model is being deleted, and starts no run of it after', async () => {
    const warehouse = makeWarehouse();
    // 10 rows per second, pages of 5: 60 rows take 6 s, so the deletion comes in the middle.
    const { model, table, upserts } = await setUpModel(warehouse, 10);
    const values = Array.from({ length: 60 }, (_, i) => `(${i + 1}, 'c${i + 1}@x.io', ${i})`).join(', ');
    await warehouse.exec(`INSERT INTO crm.${table} VALUES ${values}`);
    const runner = startRunner();
    await store.requestRun(model.id, new Date().toISOString());
    const checks = runner.checkNow();
    const midway = await eventually(
      async () => (await store.runsOf(model.id, 1))[0],
      (run) => (run?.published.added ?? 0) >= 10,
      20000,
    );
    await store.requestDelete(model.id, new Date().toISOString());
    await checks;
    const canceled = (await store.run(midway?.id as string)) as ReverseEtlRun;
    expect(canceled).toMatchObject({ status: 'canceled', phase: 'done' });
    expect(canceled.error).toBeUndefined();
    expect(canceled.lastAttemptError).toBeUndefined();
    expect(canceled.finishedAt).toBeDefined();
    expect(canceled.published.added).toBeLessThan(60);
    expect(await store.leaseHeld(model.id)).toBe(false);

    // Being deleted: asked to run again, it does not.
    await new Promise((resolve) => setTimeout(resolve, 2));
    await store.requestRun(model.id, new Date().toISOString());
    await runner.checkNow();
    expect((await store.runsOf(model.id, 5)).map((r) => r.id)).toEqual([canceled.id]);
    // What it published before it stopped is delivered, and nothing after.
    await deliveries(upserts, canceled.published.added);
    await allConsumed();
    expect(received(upserts)).toHaveLength(canceled.published.added);
  });

  it('starts no run of a model whose deletion was asked for after the runner listed it', async () => {
    const warehouse = makeWarehouse();
    const { model, table } = await setUpModel(warehouse);
    await warehouse.exec(`INSERT INTO crm.${table} VALUES (1, 'a@x.io', 1)`);
    await store.requestRun(model.id, new Date().toISOString());
    // The delete comes between the runner's list of models and its lease on this one.
    const racing = Object.assign(Object.create(store) as ReverseEtlStore, {
      acquireLease: async (modelId: string, holder: string, ttlMs: number) => {
        if (modelId === model.id) await store.requestDelete(model.id, new Date().toISOString());
        return store.acquireLease(modelId, holder, ttlMs);
      },
    });
    const runner = startReverseEtlRunner({
      store: racing,
      config,
      producer,
      eventsTopic: translator.settings.eventsTopic,
      logger,
      checkIntervalMs: 3600000,
    });
    runners.push(runner);
    await runner.checkNow();
    expect(await store.runsOf(model.id, 5)).toEqual([]);
    // The lease is given back, so the control plane's delete does not wait for it.
    expect(await store.leaseHeld(model.id)).toBe(false);
  });

  it('runs a due model once when another runner ran it between its look and its lease', async () => {
    const warehouse = makeWarehouse();
    const { model, table, upserts } = await setUpModel(warehouse, 1000, { kind: 'interval', seconds: 3600 });
    await warehouse.exec(`INSERT INTO crm.${table} VALUES (1, 'a@x.io', 1)`);
    const other = startRunner();
    // This runner finds the model due (it never ran); before it takes the lease, the other runner
    // runs it from start to end and gives the lease back.
    const late = Object.assign(Object.create(store) as ReverseEtlStore, {
      acquireLease: async (modelId: string, holder: string, ttlMs: number) => {
        if (modelId === model.id) await other.checkNow();
        return store.acquireLease(modelId, holder, ttlMs);
      },
    });
    const runner = startReverseEtlRunner({
      store: late,
      config,
      producer,
      eventsTopic: translator.settings.eventsTopic,
      logger,
      checkIntervalMs: 3600000,
    });
    runners.push(runner);
    await runner.checkNow();
    const runs = await store.runsOf(model.id, 5);
    expect(runs).toHaveLength(1);
    await ended((runs[0] as ReverseEtlRun).id);
    await deliveries(upserts, 1);
    await allConsumed();
    expect(received(upserts)).toHaveLength(1);
  });

  it('reports a repeated identifier and a query error on the run, and sends nothing', async () => {
    const warehouse = makeWarehouse();
    const { model, table, upserts, removals } = await setUpModel(warehouse);
    const runner = startRunner();
    await warehouse.exec(`INSERT INTO crm.${table} VALUES (1, 'a@x.io', 1), (1, 'again@x.io', 2), (2, 'b@x.io', 3)`);
    const repeated = await runNow(runner, model);
    expect(repeated).toMatchObject({
      status: 'failed',
      phase: 'done',
      published: { added: 0, updated: 0, deleted: 0 },
      error: {
        code: 'IDENTIFIER_NOT_UNIQUE',
        message: 'the unique identifier column "id" repeats values, e.g. "1" (2 rows)',
      },
    });

    await store.saveModel({ ...model, sql: `SELECT id, email, lifetime_value FROM crm.${table}` });
    const broken = await runNow(runner, model);
    expect(broken).toMatchObject({ status: 'failed', published: { added: 0, updated: 0, deleted: 0 } });
    expect(broken.error?.code).toBe('QUERY_FAILED');
    expect(broken.error?.message).toMatch(/lifetime_value/);
    await allConsumed();
    expect([...received(upserts), ...received(removals)]).toEqual([]);
  });

  it('fails a run whose columns changed, sending nothing; after a reset every row is sent as added', async () => {
    const warehouse = makeWarehouse();
    const { model, table, upserts } = await setUpModel(warehouse);
    const runner = startRunner();
    await warehouse.exec(`INSERT INTO crm.${table} VALUES (1, 'a@x.io', 1), (2, 'b@x.io', 2)`);
    expect((await runNow(runner, model)).status).toBe('succeeded');
    await deliveries(upserts, 2);

    const widened = { ...model, sql: `SELECT id, email, ltv, 'x' AS segment FROM crm.${table}` };
    await store.saveModel(widened);
    const changed = await runNow(runner, widened);
    expect(changed).toMatchObject({ status: 'failed', error: { code: 'COLUMNS_CHANGED' } });
    expect(changed.error?.message).toMatch(/added segment/);

    await new Promise((resolve) => setTimeout(resolve, 2));
    await store.requestReset(model.id, new Date().toISOString());
    await runner.checkNow();
    const afterReset = await ended(((await store.runsOf(model.id, 1))[0] as ReverseEtlRun).id);
    expect(afterReset).toMatchObject({ status: 'succeeded', published: { added: 2, updated: 0, deleted: 0 } });
    await deliveries(upserts, 4);
    await allConsumed();
    expect(received(upserts).map((b) => b.customer)).toHaveLength(4);
  });

  it('starts from now on its first run only: after a reset every row is sent as added', async () => {
    const warehouse = makeWarehouse();
    const setup = await setUpModel(warehouse);
    const { table, upserts } = setup;
    const model = { ...setup.model, startFromNow: true };
    await store.saveModel(model);
    const runner = startRunner();
    await warehouse.exec(`INSERT INTO crm.${table} VALUES (1, 'a@x.io', 1), (2, 'b@x.io', 2)`);
    expect(await runNow(runner, model)).toMatchObject({ status: 'succeeded', counts: { added: 0 } });
    await warehouse.exec(`INSERT INTO crm.${table} VALUES (3, 'c@x.io', 3)`);
    expect(await runNow(runner, model)).toMatchObject({ status: 'succeeded', counts: { added: 1 } });
    await deliveries(upserts, 1);

    await new Promise((resolve) => setTimeout(resolve, 2));
    await store.requestReset(model.id, new Date().toISOString());
    await runner.checkNow();
    const afterReset = await ended(((await store.runsOf(model.id, 1))[0] as ReverseEtlRun).id);
    expect(afterReset).toMatchObject({ status: 'succeeded', published: { added: 3, updated: 0, deleted: 0 } });
    await deliveries(upserts, 4);
    await allConsumed();
    expect(
      received(upserts)
        .map((b) => b.customer)
        .sort(),
    ).toEqual([1, 2, 3, 3]);
  });

  it('resumes a run stopped half-way from its last page: the remaining rows are sent, each once', async () => {
    const warehouse = makeWarehouse();
    // 10 rows per second, pages of 5: 30 rows take 3 s, so the run is stopped in the middle.
    const { model, table, upserts } = await setUpModel(warehouse, 10);
    const values = Array.from({ length: 30 }, (_, i) => `(${i + 1}, 'c${i + 1}@x.io', ${i})`).join(', ');
    await warehouse.exec(`INSERT INTO crm.${table} VALUES ${values}`);
    const first = startRunner();
    await store.requestRun(model.id, new Date().toISOString());
    const firstChecks = first.checkNow();
    const midway = await eventually(
      async () => (await store.runsOf(model.id, 1))[0],
      (run) => (run?.published.added ?? 0) >= 10,
      20000,
    );
    await first.stop();
    await firstChecks;
    const stopped = await store.run(midway?.id as string);
    expect(stopped).toMatchObject({ status: 'running', phase: 'publishing' });
    expect(stopped?.published.added).toBeLessThan(30);

    const second = startRunner();
    await second.checkNow();
    expect(await ended(stopped?.id as string)).toMatchObject({
      status: 'succeeded',
      counts: { added: 30, updated: 0, deleted: 0 },
      published: { added: 30, updated: 0, deleted: 0 },
    });
    await deliveries(upserts, 30);
    await allConsumed();
    const customers = received(upserts).map((b) => b.customer as number);
    expect(customers.sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('resumes a run that died after sending pages after the one it was recording: each row arrives once, counted once', async () => {
    const warehouse = makeWarehouse();
    const { model, table, upserts } = await setUpModel(warehouse);
    const values = Array.from({ length: 60 }, (_, i) => `(${i + 1}, 'c${i + 1}@x.io', ${i})`).join(', ');
    await warehouse.exec(`INSERT INTO crm.${table} VALUES ${values}`);
    // Pages are sent while the pages before are recorded: this runner's MongoDB write of page 2
    // lasts until Kafka acknowledged page 3, then fails, as if the process died at that moment.
    const sending = await translator.kafka.producer();
    let acknowledged = 0;
    const send = sending.send.bind(sending);
    sending.send = async (...args: Parameters<EventProducer['send']>) => {
      const sent = await send(...args);
      // The runner's checks run every model due (other tests' too): only this model's pages count.
      if (args[1].some((m) => String(m.key).startsWith(`${model.id}:`))) acknowledged++;
      return sent;
    };
    // The first write records the pages Kafka acknowledged by then (one or more: later pages are
    // recorded together); the second waits until a later page went out, then fails.
    let recorded = 0;
    let firstWrite: { lastKey: string; added: number } | undefined;
    class DyingStore extends ReverseEtlStore {
      override async recordPage(...args: Parameters<ReverseEtlStore['recordPage']>): Promise<void> {
        if ((await this.run(args[0]))?.modelId !== model.id || ++recorded < 2) {
          if ((await this.run(args[0]))?.modelId === model.id)
            firstWrite = { lastKey: args[2], added: args[3].added ?? 0 };
          return super.recordPage(...args);
        }
        const pagesRecorded = (firstWrite?.added ?? 0) / 5;
        await waitFor(
          async () => acknowledged >= pagesRecorded + 2,
          10000,
          'a page after the one being recorded to be sent',
        );
        throw new Error('the runner died while recording');
      }
    }
    const dying = startReverseEtlRunner({
      store: new DyingStore(db.db),
      config,
      producer: sending,
      eventsTopic: translator.settings.eventsTopic,
      logger,
      checkIntervalMs: 3600000,
      pageSize: 5,
    });
    runners.push(dying);
    const left = await startRun(dying, model);
    await dying.stop();
    await sending.disconnect();
    // Pages after those recorded went out (at most five: four unrecorded while a page is built),
    // and none after them: a failed record stops the run.
    const pagesRecorded = (firstWrite?.added ?? 0) / 5;
    expect(pagesRecorded).toBeGreaterThanOrEqual(1);
    expect(acknowledged).toBeGreaterThanOrEqual(pagesRecorded + 2);
    expect(acknowledged).toBeLessThanOrEqual(pagesRecorded + 5);
    expect(acknowledged).toBeLessThan(12);
    // Left at the first write's last page: the pages published after it are not counted.
    expect(await store.run(left.id)).toMatchObject({
      status: 'running',
      phase: 'publishing',
      lastKey: firstWrite?.lastKey,
      published: { added: pagesRecorded * 5, updated: 0, deleted: 0 },
      lastAttemptError: 'the runner died while recording',
    });

    const next = startRunner();
    await next.checkNow();
    expect(await ended(left.id)).toMatchObject({
      status: 'succeeded',
      counts: { added: 60, updated: 0, deleted: 0 },
      published: { added: 60, updated: 0, deleted: 0 },
    });
    await deliveries(upserts, 60);
    await allConsumed();
    // The pages sent unrecorded went to Kafka twice with the same messageIds: the translator delivered them once.
    const customers = received(upserts).map((b) => b.customer as number);
    expect(customers.sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });

  it('publishes a page of wide rows in requests the topic takes, and dead-letters a row too large to publish at all', async () => {
    const warehouse = makeWarehouse();
    const { model, table, upserts } = await setUpModel(warehouse);
    // 30 rows with a column of 1 MB that the mapping does not send: 30 MB in one page, over the
    // events topic's three partitions (at least 10 MB in one of them, over the 8 MiB a record
    // batch may hold). Row 31's column is 9 MB: no request can carry its event.
    await store.saveModel({
      ...model,
      sql: `SELECT id, email, ltv, repeat('x', CASE WHEN id = 31 THEN 9000000 ELSE 1000000 END) AS notes FROM crm.${table}`,
    });
    const values = Array.from({ length: 31 }, (_, i) => `(${i + 1}, 'c${i + 1}@x.io', ${i})`).join(', ');
    await warehouse.exec(`INSERT INTO crm.${table} VALUES ${values}`);
    const wide = startReverseEtlRunner({
      store,
      config,
      producer,
      eventsTopic: translator.settings.eventsTopic,
      logger,
      checkIntervalMs: 3600000,
      pageSize: 1000,
    });
    runners.push(wide);
    const run = await runNow(wide, model);
    expect(run).toMatchObject({
      status: 'succeeded',
      counts: { added: 31, updated: 0, deleted: 0 },
      published: { added: 30, updated: 0, deleted: 0 },
      // 30 deliveries, and the refused row's outcome at the one instance taking added rows.
      expectedDeliveries: 31,
    });
    expect(run.lastAttemptError).toBeUndefined();
    expect(run.missingDeliveries).toBeUndefined();
    expect(runDeliveries(run).added).toEqual({ delivered: 30, failed: 0, deadLettered: 1, filtered: 0 });
    expect(run.failedRows).toEqual([
      expect.objectContaining({ key: '31', changeKind: 'added', outcome: 'deadLettered', reason: 'EVENT_TOO_LARGE' }),
    ]);
    expect(run.failedRows?.[0]?.message).toMatch(/the row's event is 9\d{6} bytes, more than the events topic takes/);
    const received = await deliveries(upserts, 30);
    expect(received.map((b) => b.customer as number).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
  });

  it('runs an interval model on its schedule: at once, then each interval after the last start', async () => {
    const warehouse = makeWarehouse();
    // Shorter than the API allows (60 s), so that the test sees two runs; checks every 250 ms.
    const { model, table, upserts } = await setUpModel(warehouse, 1000, { kind: 'interval', seconds: 2 });
    await warehouse.exec(`INSERT INTO crm.${table} VALUES (1, 'a@x.io', 1)`);
    const started = Date.now();
    const scheduled = startRunner(250);
    const runs = await eventually(
      () => store.runsOf(model.id, 5),
      (list) => list.length >= 2 && list.every((r) => r.status === 'succeeded'),
      20000,
    ).finally(() => scheduled.stop());
    // Newest first: the first two runs are the last two listed (a third may have started since).
    const [firstRun, secondRun] = [runs.at(-1), runs.at(-2)] as [ReverseEtlRun, ReverseEtlRun];
    const [first, second] = [Date.parse(firstRun.startedAt), Date.parse(secondRun.startedAt)];
    expect(first - started).toBeLessThan(2000);
    // Due 2 s after the first start, or when the first run ends if it takes longer (a model runs
    // once at a time); seen at the next check (250 ms), with room for a busy machine (a CI run
    // started it 3.6 s after the first with other suites beside it).
    expect(second - first).toBeGreaterThanOrEqual(2000);
    const firstEnded = Date.parse(firstRun.finishedAt ?? '');
    expect(second - Math.max(first + 2000, firstEnded)).toBeLessThan(2000);
    expect(runs.at(-1)).toMatchObject({ trigger: 'schedule', counts: { added: 1, updated: 0, deleted: 0 } });
    expect(runs.at(-2)).toMatchObject({ trigger: 'schedule', counts: { added: 0, updated: 0, deleted: 0 } });
    expect((await deliveries(upserts, 1)).map((b) => b.customer)).toEqual([1]);
  });

  it('skips a model whose schedule cannot be read without holding up the models after it; "run now" still runs it', async () => {
    const warehouse = makeWarehouse();
    // Saved past the API (which refuses it), as a record edited by hand would be; listed first.
    const broken = await setUpModel(warehouse, 1000, { kind: 'cron', expression: 'every day at noon' });
    const sound = await setUpModel(warehouse, 1000, { kind: 'interval', seconds: 3600 });
    await warehouse.exec(`INSERT INTO crm.${broken.table} VALUES (1, 'a@x.io', 1)`);
    await warehouse.exec(`INSERT INTO crm.${sound.table} VALUES (2, 'b@x.io', 2)`);
    const runner = startRunner();
    await runner.checkNow();
    await runner.checkNow();
    const [scheduled] = await store.runsOf(sound.model.id, 5);
    expect(scheduled).toMatchObject({ trigger: 'schedule' });
    expect((await ended(scheduled!.id)).counts).toMatchObject({ added: 1 });
    expect(await store.runsOf(broken.model.id, 5)).toEqual([]);

    const asked = await runNow(runner, broken.model);
    expect(asked).toMatchObject({ trigger: 'manual', status: 'succeeded', counts: { added: 1 } });
    expect((await deliveries(broken.upserts, 1)).map((b) => b.customer)).toEqual([1]);
  });
});

describe('reverse ETL delivery outcomes', () => {
  const postgres = (warehouses[0] as [string, () => Warehouse])[1];

  it('ends a run only when every row has an outcome: refused rows are dead-lettered and named with the reason', async () => {
    const warehouse = postgres();
    // The receiver refuses customers 2 and 4 (HTTP 400, final), and answers slowly: the run
    // published everything long before its deliveries are all answered.
    const { model, table, upserts, removals } = await setUpModel(
      warehouse,
      1000,
      { kind: 'manual' },
      {
        upserts: {
          refuse: (body) => {
            const customer = (body as { customer?: unknown }).customer;
            return customer === 2 || customer === 4 ? `customer ${customer} is on the blocklist` : undefined;
          },
        },
      },
    );
    upserts.setResponseDelay(1500);
    const runner = startRunner();
    const values = [1, 2, 3, 4, 5].map((id) => `(${id}, 'c${id}@x.io', ${id})`).join(', ');
    await warehouse.exec(`INSERT INTO crm.${table} VALUES ${values}`);

    const published = await startRun(runner, model);
    expect(published).toMatchObject({
      status: 'delivering',
      phase: 'delivering',
      expectedDeliveries: 5,
      published: { added: 5, updated: 0, deleted: 0 },
    });
    expect(published.finishedAt).toBeUndefined();
    expect(published.deliveringSince).toBeDefined();

    const run = await ended(published.id);
    expect(run).toMatchObject({ status: 'succeeded', phase: 'done', expectedDeliveries: 5 });
    expect(run.missingDeliveries).toBeUndefined();
    expect(runDeliveries(run).added).toEqual({ delivered: 3, failed: 0, deadLettered: 2, filtered: 0 });
    expect(runDeliveries(run).updated).toEqual({ delivered: 0, failed: 0, deadLettered: 0, filtered: 0 });
    const failed = [...(run.failedRows ?? [])].sort((a, b) => a.key.localeCompare(b.key));
    expect(failed.map(({ key, changeKind, outcome, reason }) => ({ key, changeKind, outcome, reason }))).toEqual([
      { key: '2', changeKind: 'added', outcome: 'deadLettered', reason: 'http_400' },
      { key: '4', changeKind: 'added', outcome: 'deadLettered', reason: 'http_400' },
    ]);
    expect(failed[0]?.message).toMatch(/HTTP 400.*customer 2 is on the blocklist/);
    expect(failed[1]?.message).toMatch(/customer 4 is on the blocklist/);
    // Ended when the last outcome came, after the slow answers: the duration covers the deliveries.
    expect(Date.parse(run.finishedAt as string)).toBeGreaterThanOrEqual(Date.parse(run.deliveringSince as string));
    expect(run.durationMs).toBe(Date.parse(run.finishedAt as string) - Date.parse(run.startedAt));
    expect(
      received(upserts)
        .map((b) => b.customer)
        .sort(),
    ).toEqual([1, 3, 5]);

    // A second run: an update (delivered) and a delete (to the other instance), counted per kind.
    upserts.setResponseDelay(0);
    await warehouse.exec(`UPDATE crm.${table} SET ltv = 50 WHERE id = 1`);
    await warehouse.exec(`DELETE FROM crm.${table} WHERE id = 3`);
    const second = await runNow(runner, model);
    expect(second).toMatchObject({ status: 'succeeded', expectedDeliveries: 2 });
    expect(second.failedRows ?? []).toEqual([]);
    const deliveriesOf = runDeliveries(second);
    expect([deliveriesOf.added.delivered, deliveriesOf.updated.delivered, deliveriesOf.deleted.delivered]).toEqual([
      0, 1, 1,
    ]);
    expect((await deliveries(removals, 1)).map((b) => b.customer)).toEqual([3]);
  });

  it('waits for deliveries that never come until the delivery timeout, then ends with the missing count', async () => {
    const warehouse = postgres();
    // The translator does not know the instances: as if their translator were down.
    const { model, table } = await setUpModel(warehouse, 1000, { kind: 'manual' }, { delivered: false });
    const runner = startRunner(250, 2000);
    await warehouse.exec(`INSERT INTO crm.${table} VALUES (1, 'a@x.io', 1), (2, 'b@x.io', 2)`);
    const published = await startRun(runner, model);
    expect(published).toMatchObject({ status: 'delivering', expectedDeliveries: 2 });
    const run = await ended(published.id);
    expect(run).toMatchObject({ status: 'succeeded', phase: 'done', missingDeliveries: 2 });
    expect(runDeliveries(run).added.delivered).toBe(0);
    // Not before the timeout: 2 s after it began waiting.
    expect(Date.parse(run.finishedAt as string) - Date.parse(run.deliveringSince as string)).toBeGreaterThanOrEqual(
      2000,
    );
    await runner.stop();
  });
});
