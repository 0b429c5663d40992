// The loader process runs Reverse ETL models when given their store: "run now" on a model becomes
// a run whose row changes land on the events topic as events of the model, as translators read them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryConfigView } from '@manifold/config-client';
import { decodeEventMessage, KafkaNames } from '@manifold/events';
import { KafkaClient } from '@manifold/kafka';
import { ReverseEtlStore, type ReverseEtlModel } from '@manifold/reverse-etl';
import { runWarehouseSql } from '@manifold/warehouse/testing';
import {
  eventually,
  readTopicUntil,
  requireKafka,
  testInfrastructure,
  testLogger,
  testTopicPrefix,
} from '@manifold/testing';
import { connectTestDatabase, type TestDatabase } from '../../../translator/src/test-support/test-database';
import { startLoaderApp, type LoaderApp } from '../loader-app';

const logger = testLogger('loader-app-reverse-etl');
let dir: string;
let db: TestDatabase;
let kafka: KafkaClient;
let app: LoaderApp | undefined;

beforeAll(async () => {
  await requireKafka(testInfrastructure().kafkaBrokers);
  dir = await mkdtemp(join(tmpdir(), 'loader-retl-'));
  db = await connectTestDatabase('loaderretl');
  kafka = new KafkaClient({ brokers: testInfrastructure().kafkaBrokers, clientId: 'loader-retl-test', logger });
});

afterAll(async () => {
  await app?.stop();
  await kafka?.disconnect();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('runs a model asked to run now and publishes its rows as events of the model', async () => {
  const duckdbPath = join(dir, 'warehouse.duckdb');
  await runWarehouseSql({ duckdbPath }, 'CREATE SCHEMA crm');
  await runWarehouseSql(
    { duckdbPath },
    `CREATE TABLE crm.accounts AS SELECT * FROM (VALUES ('acme', 'gold'), ('initech', 'silver')) t(slug, tier)`,
  );
  const store = new ReverseEtlStore(db.db);
  const now = new Date().toISOString();
  const model: ReverseEtlModel = {
    id: 'mdl_accounts',
    workspaceId: 'ws-1',
    name: 'Accounts',
    warehouseId: 'wh-1',
    sql: 'SELECT slug, tier FROM crm.accounts',
    identifierColumn: 'slug',
    schedule: { kind: 'manual' },
    enabled: true,
    startFromNow: false,
    runRequestedAt: now,
    createdAt: now,
    updatedAt: now,
  };
  await store.saveModel(model);
  await store.saveConnection({
    id: 'con-1',
    workspaceId: 'ws-1',
    modelId: model.id,
    destinationId: 'dst-1',
    changeKinds: ['added'],
    action: 'send',
    fields: {},
    enabled: true,
    rowsPerSecond: 100,
  });
  const prefix = testTopicPrefix();
  const config = new InMemoryConfigView({
    version: 1,
    sources: [],
    destinations: [],
    warehouses: [
      {
        id: 'wh-1',
        workspaceId: 'ws-1',
        name: 'Warehouse',
        enabled: false,
        kind: 'duckdb',
        settings: { path: duckdbPath },
        syncIntervalSeconds: 3600,
        sourceIds: [],
      },
    ],
  });
  const eventsTopic = new KafkaNames(prefix).events;
  await kafka.ensureTopics([{ topic: eventsTopic, partitions: 3 }]);
  app = await startLoaderApp({
    config,
    kafkaBrokers: testInfrastructure().kafkaBrokers,
    logger,
    topicPrefix: prefix,
    reverseEtl: { store, checkIntervalMs: 200 },
  });

  // No translator here: every change published, the run waits for the two deliveries' outcomes.
  const [run] = await eventually(
    () => store.runsOf(model.id, 1),
    (runs) => runs[0]?.status === 'delivering',
    20000,
  );
  expect(run).toMatchObject({
    trigger: 'manual',
    phase: 'delivering',
    published: { added: 2, updated: 0, deleted: 0 },
    expectedDeliveries: 2,
  });
  const messages = await readTopicUntil(kafka, eventsTopic, (m) => m.length >= 2);
  const events = messages.map((m) => decodeEventMessage(m));
  expect(events.map((e) => e.metadata)).toEqual([
    { sourceId: model.id, workspaceId: 'ws-1' },
    { sourceId: model.id, workspaceId: 'ws-1' },
  ]);
  const bySlug = (e: (typeof events)[number]) => String(e.event.properties?.['slug']);
  events.sort((a, b) => bySlug(a).localeCompare(bySlug(b)));
  expect(events.map((e) => [e.event.type, e.event.event, e.event.properties])).toEqual([
    ['track', 'new', { slug: 'acme', tier: 'gold' }],
    ['track', 'new', { slug: 'initech', tier: 'silver' }],
  ]);
  expect(events[0]?.event.context.reverseEtl).toMatchObject({ modelId: model.id, runId: run?.id, changeKind: 'added' });
});
