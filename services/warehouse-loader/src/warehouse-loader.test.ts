// The loader against a real Kafka, a real PostgreSQL and real DuckDB files.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryConfigView } from '@manifold/config-client';
import type { IntegrationsObject } from '@manifold/events';
import { KafkaClient, type EventProducer } from '@manifold/kafka';
import { requireKafka, requirePostgres, TcpProxy, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import {
  createEngine,
  DuckdbEngine,
  PostgresEngine,
  schemaNameForSource,
  type WarehouseLoadRecord,
} from '@manifold/warehouse';
import { sampleEvents } from '@manifold/warehouse/testing';
import { startLoaderApp } from './loader-app';
import { LoaderSupervisor } from './loader-supervisor';
import {
  MemoryHistory,
  caughtUp,
  eventsTopic,
  produce,
  snapshot,
  source,
  testSupervisor,
  waitFor,
  warehouse,
} from './testing/harness';

const logger = testLogger('warehouse-loader');
const { kafkaBrokers, warehousePostgresUrl } = testInfrastructure();
let kafka: KafkaClient;
let producer: EventProducer;
let reader: PostgresEngine;
let tempDir: string;

beforeAll(async () => {
  await requireKafka(kafkaBrokers);
  await requirePostgres(warehousePostgresUrl);
  kafka = new KafkaClient({ brokers: kafkaBrokers, clientId: 'warehouse-loader-test', logger });
  producer = await kafka.producer();
  reader = new PostgresEngine({ connection: { url: warehousePostgresUrl }, logger });
  tempDir = await mkdtemp(join(tmpdir(), 'manifold-loader-'));
});

afterAll(async () => {
  await producer?.disconnect();
  await kafka?.disconnect();
  await reader?.close();
  await rm(tempDir, { recursive: true, force: true });
});

async function countRows(schema: string, table: string): Promise<number> {
  const catalog = await reader.catalog(schema);
  if (!catalog?.has(table)) return 0;
  return (await reader.readTable(schema, table)).length;
}

describe('warehouse loader', () => {
  it('loads the events of connected sources on the interval, skips the rest, commits, and publishes load history', async () => {
    const topic = await eventsTopic(kafka);
    const loadsTopic = uniqueName('wh-loads');
    const web = source();
    const app2 = source();
    const unconnected = source();
    const pg = warehouse('postgres', { url: warehousePostgresUrl }, [web.id, app2.id]);
    const view = new InMemoryConfigView(snapshot([web, app2, unconnected], [pg]));

    const webEvents = [
      sampleEvents.identify({ userId: 'u1' }),
      sampleEvents.track({ userId: 'u1' }),
      sampleEvents.page({ userId: 'u2' }),
      // All:false blocks streaming destinations, not warehouses.
      sampleEvents.track({ userId: 'u3', integrations: { All: false } }),
    ];
    const blocked = [
      sampleEvents.track({ integrations: { Warehouses: { all: false } } }),
      sampleEvents.track({ integrations: { Warehouses: { warehouseIds: ['some-other-warehouse'] } } }),
    ];
    const allowedById = sampleEvents.track({ integrations: { Warehouses: { warehouseIds: [pg.id] } } });
    await produce(producer, topic, web, [...webEvents, ...blocked, allowedById]);
    await produce(producer, topic, app2, [sampleEvents.screen(), sampleEvents.group()]);
    await produce(producer, topic, unconnected, [sampleEvents.track(), sampleEvents.track()]);
    await producer.send(topic, [{ value: 'not json at all', headers: {} }]);

    const app = await startLoaderApp({ config: view, kafkaBrokers, logger, eventsTopic: topic, loadsTopic });
    try {
      const groupId = app.supervisor.loader(pg.id)?.groupId ?? '';
      await waitFor(() => caughtUp(kafka, groupId, topic), 30000, 'the loader to commit every message');
      const webSchema = schemaNameForSource(web.slug);
      expect(await countRows(webSchema, 'tracks')).toBe(3);
      expect(await countRows(webSchema, 'order_completed')).toBe(3);
      expect(await countRows(webSchema, 'identifies')).toBe(1);
      expect(await countRows(webSchema, 'users')).toBe(1);
      expect(await countRows(webSchema, 'pages')).toBe(1);
      const trackIds = (await reader.readTable(webSchema, 'tracks')).map((r) => r['id']).sort();
      expect(trackIds).toEqual([webEvents[1]!.messageId, webEvents[3]!.messageId, allowedById.messageId].sort());
      const appSchema = schemaNameForSource(app2.slug);
      expect(await countRows(appSchema, 'screens')).toBe(1);
      expect(await countRows(appSchema, 'groups')).toBe(1);
      expect(await reader.catalog(schemaNameForSource(unconnected.slug))).toBeUndefined();
      expect(app.supervisor.loader(pg.id)?.stats.undecodableMessages).toBe(1);
    } finally {
      await app.stop();
    }

    // The load history reached its topic, one record per source load.
    const records: WarehouseLoadRecord[] = [];
    const consumer = kafka.consumer({
      groupId: uniqueName('loads-reader'),
      topics: [loadsTopic],
      handleBatch: async (batch) => {
        for (const m of batch.messages)
          if (m.value) records.push(JSON.parse(m.value.toString('utf8')) as WarehouseLoadRecord);
      },
    });
    await consumer.run();
    await waitFor(() => records.length >= 2, 20000, 'two load records');
    await consumer.stop();
    const webRecord = records.find((r) => r.sourceId === web.id);
    expect(webRecord).toMatchObject({
      warehouseId: pg.id,
      workspaceId: 'ws-1',
      schema: schemaNameForSource(web.slug),
      status: 'success',
      events: 5,
      rowsByTable: { identifies: 1, users: 1, tracks: 3, order_completed: 3, pages: 1 },
      rows: 9,
      errors: [],
      attempt: 1,
    });
    expect(webRecord?.tablesCreated.sort()).toEqual(['identifies', 'order_completed', 'pages', 'tracks', 'users']);
    expect(Date.parse(webRecord?.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(webRecord?.startedAt ?? ''));
  }, 90000);

  it('reads integrations.Warehouses: null as absent, loading the event', async () => {
    const topic = await eventsTopic(kafka, 1);
    const web = source();
    const duck = warehouse('duckdb', { path: join(tempDir, `${uniqueName('null-rule')}.duckdb`) }, [web.id]);
    const { supervisor } = testSupervisor(kafka, logger, topic, { sources: [web], warehouses: [duck] });
    // As an SDK's JSON carries it: the Spec type has no null rule.
    const withNull = sampleEvents.track({ integrations: JSON.parse('{"Warehouses":null}') as IntegrationsObject });
    const blocked = sampleEvents.track({ integrations: { Warehouses: false } });
    const plain = sampleEvents.track();
    await supervisor.start();
    try {
      await produce(producer, topic, web, [withNull, blocked, plain]);
      await waitFor(() => caughtUp(kafka, supervisor.loader(duck.id)?.groupId ?? '', topic), 30000, 'the events');
      expect(supervisor.loader(duck.id)?.stats.undecodableMessages).toBe(0);
    } finally {
      await supervisor.stop();
    }
    const duckReader = new DuckdbEngine({ path: duck.settings['path'] as string, logger });
    const ids = (await duckReader.readTable(schemaNameForSource(web.slug), 'tracks')).map((r) => r['id']);
    expect(ids.sort()).toEqual([withNull.messageId, plain.messageId].sort());
  }, 60000);

  it('loads before the interval once a batch is full', async () => {
    const topic = await eventsTopic(kafka, 1);
    const web = source();
    const pg = warehouse('postgres', { url: warehousePostgresUrl, batchSize: 50 }, [web.id], {
      syncIntervalSeconds: 3600,
    });
    const history = new MemoryHistory();
    const supervisor = new LoaderSupervisor({
      config: new InMemoryConfigView(snapshot([web], [pg])),
      kafka,
      history,
      logger,
      loaderOptions: { eventsTopic: topic },
    });
    await supervisor.start();
    try {
      await produce(
        producer,
        topic,
        web,
        Array.from({ length: 60 }, () => sampleEvents.track()),
      );
      await waitFor(() => history.rowsLoaded(pg.id, 'tracks') === 60, 30000, 'a full batch to load early');
      await produce(
        producer,
        topic,
        web,
        Array.from({ length: 30 }, () => sampleEvents.track()),
      );
      // A batch that is not full waits for the (hour-long) interval.
      await waitFor(() => supervisor.loader(pg.id)?.stats.pendingEvents === 30, 10000, '30 waiting events');
      await new Promise((r) => setTimeout(r, 1000));
      expect(history.rowsLoaded(pg.id, 'tracks')).toBe(60);
      await supervisor.loader(pg.id)?.flushNow();
      expect(await countRows(schemaNameForSource(web.slug), 'tracks')).toBe(90);
    } finally {
      await supervisor.stop();
    }
  }, 60000);

  it('retries a warehouse that is down with backoff while another keeps loading, and loses nothing', async () => {
    const topic = await eventsTopic(kafka);
    const web = source();
    const { proxy, url: proxiedUrl } = await TcpProxy.inFrontOf(warehousePostgresUrl);
    const pg = warehouse('postgres', { url: proxiedUrl }, [web.id]);
    const duck = warehouse('duckdb', { path: join(tempDir, `${uniqueName('other')}.duckdb`) }, [web.id]);
    const history = new MemoryHistory();
    const supervisor = new LoaderSupervisor({
      config: new InMemoryConfigView(snapshot([web], [pg, duck])),
      kafka,
      history,
      logger,
      loaderOptions: { eventsTopic: topic, backoff: { initialMs: 200, maxMs: 1000 } },
    });
    await supervisor.start();
    const schema = schemaNameForSource(web.slug);
    try {
      const before = Array.from({ length: 30 }, () => sampleEvents.track());
      await produce(producer, topic, web, before);
      await waitFor(async () => (await countRows(schema, 'tracks')) === 30, 30000, 'the first load');

      proxy.cut();
      const during = [
        ...Array.from({ length: 40 }, () => sampleEvents.track()),
        sampleEvents.identify({ userId: 'outage-user', traits: { plan: 'pro' } }),
      ];
      await produce(producer, topic, web, during);
      await waitFor(
        () => history.records.filter((r) => r.warehouseId === pg.id && r.status === 'failure').length >= 3,
        30000,
        'several failed attempts',
      );
      const failures = history.records.filter((r) => r.warehouseId === pg.id && r.status === 'failure');
      expect(failures.map((r) => r.attempt).slice(0, 3)).toEqual([1, 2, 3]);
      expect(failures[0]?.errors[0]).toBeTruthy();
      expect(failures[0]?.events).toBeGreaterThan(0);
      // The other warehouse loaded everything meanwhile.
      await waitFor(() => history.rowsLoaded(duck.id, 'tracks') === 70, 30000, 'the DuckDB warehouse to load');
      expect(await countRows(schema, 'tracks')).toBe(30);
      expect(await caughtUp(kafka, supervisor.loader(pg.id)?.groupId ?? '', topic)).toBe(false);

      proxy.restore();
      await waitFor(() => caughtUp(kafka, supervisor.loader(pg.id)?.groupId ?? '', topic), 30000, 'recovery');
      const ids = (await reader.readTable(schema, 'tracks')).map((r) => r['id']).sort();
      expect(ids).toEqual([...before, ...during.slice(0, 40)].map((e) => e.messageId).sort());
      expect(await reader.readTable(schema, 'users')).toEqual([
        expect.objectContaining({ id: 'outage-user', plan: 'pro' }),
      ]);
      const recovered = history.records.filter((r) => r.warehouseId === pg.id && r.status !== 'failure').at(-1);
      expect(recovered?.attempt).toBeGreaterThan(1);
    } finally {
      await supervisor.stop();
      await proxy.stop();
    }
    const duckReader = new DuckdbEngine({ path: duck.settings['path'] as string, logger });
    expect(await duckReader.readTable(schema, 'tracks')).toHaveLength(70);
  }, 90000);

  it('follows configuration changes; a warehouse with invalid settings is reported and the others run', async () => {
    const topic = await eventsTopic(kafka, 1);
    const web = source();
    const good = warehouse('duckdb', { path: join(tempDir, `${uniqueName('good')}.duckdb`) }, [web.id]);
    const bad = warehouse('postgres', { host: 'h' }, [web.id]);
    const view = new InMemoryConfigView(snapshot([web], [good, bad]));
    const history = new MemoryHistory();
    const supervisor = new LoaderSupervisor({
      config: view,
      kafka,
      history,
      logger,
      loaderOptions: { eventsTopic: topic },
    });
    await supervisor.start();
    try {
      expect(supervisor.running).toEqual([good.id]);
      await produce(producer, topic, web, [sampleEvents.track()]);
      await waitFor(() => history.rowsLoaded(good.id, 'tracks') === 1, 20000, 'the valid warehouse to load');

      const fixed = { ...bad, settings: { url: warehousePostgresUrl } };
      const disabled = { ...good, enabled: false };
      view.replace(snapshot([web], [disabled, fixed], 2));
      await supervisor.reconcile();
      expect(supervisor.running).toEqual([fixed.id]);
      await waitFor(() => history.rowsLoaded(fixed.id, 'tracks') === 1, 20000, 'the fixed warehouse to load');
    } finally {
      await supervisor.stop();
    }
  }, 60000);

  it('applies the rest of a configuration change when one loader fails to stop', async () => {
    const topic = await eventsTopic(kafka, 1);
    const web = source();
    const duck = (name: string) => warehouse('duckdb', { path: join(tempDir, `${uniqueName(name)}.duckdb`) }, [web.id]);
    const [stuck, kept, added] = [duck('stuck'), duck('kept'), duck('added')];
    const view = new InMemoryConfigView(snapshot([web], [stuck, kept]));
    const supervisor = new LoaderSupervisor({
      config: view,
      kafka,
      history: new MemoryHistory(),
      logger,
      loaderOptions: {
        eventsTopic: topic,
        // The first warehouse's engine fails to close, as one whose file or connection broke would.
        createEngine: (kind, settings, log) => {
          const made = createEngine(kind, settings, log);
          if (settings['path'] !== stuck.settings['path']) return made;
          const close = made.engine.close.bind(made.engine);
          made.engine.close = async () => {
            await close();
            throw new Error('the engine could not be closed');
          };
          return made;
        },
      },
    });
    await supervisor.start();
    try {
      expect(supervisor.running).toEqual([stuck.id, kept.id]);
      // The change as the config stream brings it (one reconcile): the warehouse listed after the
      // loader that fails to stop is still started.
      view.replace(snapshot([web], [{ ...stuck, enabled: false }, kept, added], 2));
      await waitFor(() => supervisor.running.includes(added.id), 15000, 'the added warehouse to start');
      expect(supervisor.running).toEqual([kept.id, added.id]);
    } finally {
      await supervisor.stop();
    }
  }, 60000);

  it('starts a loader once the events topic exists', async () => {
    const topic = uniqueName('wh-events-later');
    const web = source();
    const duck = warehouse('duckdb', { path: join(tempDir, `${uniqueName('later')}.duckdb`) }, [web.id]);
    const history = new MemoryHistory();
    const supervisor = new LoaderSupervisor({
      config: new InMemoryConfigView(snapshot([web], [duck])),
      kafka,
      history,
      logger,
      startRetryMs: 300,
      loaderOptions: { eventsTopic: topic },
    });
    await supervisor.start();
    try {
      expect(supervisor.running).toEqual([]);
      await kafka.ensureTopics([{ topic }]);
      await waitFor(() => supervisor.running.includes(duck.id), 20000, 'the loader to start');
      await produce(producer, topic, web, [sampleEvents.alias()]);
      await waitFor(() => history.rowsLoaded(duck.id, 'aliases') === 1, 30000, 'the alias to load');
    } finally {
      await supervisor.stop();
    }
  }, 60000);

  it('keeps loading the other sources when one source cannot be loaded, and holds its events back', async () => {
    const topic = await eventsTopic(kafka, 1);
    const good = source();
    const unnamed = source({ slug: '---' });
    const duck = warehouse('duckdb', { path: join(tempDir, `${uniqueName('mixed')}.duckdb`) }, [good.id, unnamed.id]);
    const history = new MemoryHistory();
    const supervisor = new LoaderSupervisor({
      config: new InMemoryConfigView(snapshot([good, unnamed], [duck])),
      kafka,
      history,
      logger,
      loaderOptions: { eventsTopic: topic, backoff: { initialMs: 200, maxMs: 500 } },
    });
    await supervisor.start();
    try {
      await produce(producer, topic, unnamed, [sampleEvents.track()]);
      await produce(producer, topic, good, [sampleEvents.track(), sampleEvents.track()]);
      await waitFor(() => history.rowsLoaded(duck.id, 'tracks') === 2, 30000, 'the good source to load');
      await waitFor(
        () => history.records.filter((r) => r.sourceId === unnamed.id && r.status === 'failure').length >= 2,
        30000,
        'the unnamed source to fail and be retried',
      );
      const failure = history.records.find((r) => r.sourceId === unnamed.id);
      expect(failure?.errors[0]).toContain('gives no usable schema name');
      // Its event is the earliest still waiting: nothing after it is committed yet.
      expect(await caughtUp(kafka, supervisor.loader(duck.id)?.groupId ?? '', topic)).toBe(false);
      expect(supervisor.loader(duck.id)?.stats.pendingEvents).toBe(1);
    } finally {
      await supervisor.stop();
    }
  }, 60000);
});
