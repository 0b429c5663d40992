// One bad event must never wedge a warehouse: an event with a value the warehouse can never store
// loads without that value (a notice says which and why), an event it refuses whole is set aside
// with its reason, while the rest loads; events past its limits are kept in _overflow, and a
// warehouse that stops loading says so. Against a real Kafka, PostgreSQL and DuckDB files.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Client as PgClient } from 'pg';
import { InMemoryConfigView, type WarehouseConfig } from '@manifold/config-client';
import { KafkaClient, type EventProducer } from '@manifold/kafka';
import { ReadinessRegistry } from '@manifold/service';
import { startTelemetry } from '@manifold/telemetry';
import {
  requireKafka,
  requirePostgres,
  sampleValue,
  TcpProxy,
  testInfrastructure,
  testLogger,
  uniqueName,
} from '@manifold/testing';
import { DuckdbEngine, PostgresEngine, schemaNameForSource, type WarehouseEngine } from '@manifold/warehouse';
import { numericProperties, sampleEvents } from '@manifold/warehouse/testing';
import { startLoaderApp } from './loader-app';
import type { LoaderSupervisor } from './loader-supervisor';
import { registerLoaderMetrics } from './metrics';
import {
  caughtUp,
  eventsTopic,
  produce,
  snapshot,
  source,
  testSupervisor,
  waitFor,
  warehouse,
} from './testing/harness';

const logger = testLogger('warehouse-loader-bad-events');
const { kafkaBrokers, warehousePostgresUrl } = testInfrastructure();
let kafka: KafkaClient;
let producer: EventProducer;
let tempDir: string;

beforeAll(async () => {
  await requireKafka(kafkaBrokers);
  await requirePostgres(warehousePostgresUrl);
  kafka = new KafkaClient({ brokers: kafkaBrokers, clientId: 'warehouse-loader-bad-events-test', logger });
  producer = await kafka.producer();
  tempDir = await mkdtemp(join(tmpdir(), 'manifold-bad-events-'));
});

afterAll(async () => {
  await producer?.disconnect();
  await kafka?.disconnect();
  await rm(tempDir, { recursive: true, force: true });
});

/** The loader's metrics as Prometheus scrapes them, for the warehouses `supervisor` runs. */
async function scrapeLoaderMetrics(supervisor: LoaderSupervisor): Promise<string> {
  const telemetry = startTelemetry({ serviceName: 'warehouse-loader' });
  registerLoaderMetrics(telemetry.meter, supervisor);
  const server = createServer((req, res) => telemetry.handleMetricsRequest(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`)).text();
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await telemetry.shutdown();
  }
}

function readerFor(config: WarehouseConfig): WarehouseEngine {
  return config.kind === 'postgres'
    ? new PostgresEngine({ connection: { url: warehousePostgresUrl }, logger })
    : new DuckdbEngine({ path: config.settings['path'] as string, logger });
}

async function ids(config: WarehouseConfig, schema: string, table: string): Promise<unknown[]> {
  const reader = readerFor(config);
  try {
    return (await reader.readTable(schema, table)).map((r) => r['id']);
  } finally {
    await reader.close();
  }
}

function startSupervisor(topic: string, config: WarehouseConfig, sources: ReturnType<typeof source>[]) {
  return testSupervisor(
    kafka,
    logger,
    topic,
    { sources, warehouses: [config] },
    {
      backoff: { initialMs: 200, maxMs: 1000 },
    },
  );
}

describe.each(['postgres', 'duckdb'] as const)('%s warehouse', (kind) => {
  const make = (sourceIds: string[]): WarehouseConfig =>
    kind === 'postgres'
      ? warehouse('postgres', { url: warehousePostgresUrl }, sourceIds)
      : warehouse('duckdb', { path: join(tempDir, `${uniqueName('bad')}.duckdb`) }, sourceIds);

  it('loads an event with 1,100 numeric properties next to ordinary ones, and every later load', async () => {
    const topic = await eventsTopic(kafka, 1);
    const web = source();
    const config = make([web.id]);
    const { history, supervisor } = startSupervisor(topic, config, [web]);
    const schema = schemaNameForSource(web.slug);
    const ordinary = () => sampleEvents.track({ event: 'Telemetry', properties: { metric_0: 2.5, label: 'x' } });
    const big = sampleEvents.track({ event: 'Telemetry', properties: numericProperties(1100) });
    const before = [ordinary(), ordinary(), ordinary()];
    const after = [ordinary(), ordinary()];
    await supervisor.start();
    try {
      await produce(producer, topic, web, [...before, big, ...after]);
      const groupId = supervisor.loader(config.id)?.groupId ?? '';
      await waitFor(() => caughtUp(kafka, groupId, topic), 30000, 'the batch with the wide event to load');
      expect((await ids(config, schema, 'telemetry')).sort()).toEqual(
        [...before, big, ...after].map((e) => e.messageId).sort(),
      );
      const later = [ordinary(), sampleEvents.page()];
      await produce(producer, topic, web, later);
      await waitFor(() => caughtUp(kafka, groupId, topic), 30000, 'the next load');
      expect(await ids(config, schema, 'pages')).toEqual([later[1]?.messageId]);
      expect(supervisor.loader(config.id)?.stats).toMatchObject({ skippedEvents: 0, stalled: 0 });
      expect(history.records.filter((r) => r.status === 'failure')).toEqual([]);
      if (kind === 'postgres') {
        // What did not fit in a PostgreSQL row went to _overflow, and the load record says so.
        expect(history.records.flatMap((r) => r.notices)).toContainEqual(
          expect.objectContaining({ kind: 'overflow', table: 'telemetry', reason: 'row_size' }),
        );
        expect(supervisor.loader(config.id)?.stats.valueNotices.converted['overflow']).toBeGreaterThan(0);
      }
    } finally {
      await supervisor.stop();
    }
  }, 90000);

  it('loads an event without the value the warehouse refuses, records which and why, and loads the rest', async () => {
    const topic = await eventsTopic(kafka, 1);
    const web = source();
    const config = make([web.id]);
    const schema = schemaNameForSource(web.slug);
    const first = startSupervisor(topic, config, [web]);
    await first.supervisor.start();
    try {
      await produce(producer, topic, web, [sampleEvents.track({ properties: { quantity: 1, sku: 'A-0' } })]);
      const groupId = first.supervisor.loader(config.id)?.groupId ?? '';
      await waitFor(() => caughtUp(kafka, groupId, topic), 30000, 'the first load');
    } finally {
      await first.supervisor.stop();
    }
    // Someone narrowed a column by hand: 3 billion no longer fits (PostgreSQL 22003, DuckDB a
    // conversion error), on every retry.
    if (kind === 'postgres') {
      const admin = new PgClient({ connectionString: warehousePostgresUrl });
      await admin.connect();
      await admin.query(`ALTER TABLE "${schema}"."order_completed" ALTER COLUMN quantity TYPE integer`);
      await admin.end();
    } else {
      const instance = await DuckDBInstance.create(config.settings['path'] as string);
      const connection = await instance.connect();
      await connection.run(`ALTER TABLE "${schema}"."order_completed" ALTER quantity TYPE INTEGER`);
      connection.closeSync();
      instance.closeSync();
    }
    const good = Array.from({ length: 20 }, (_, i) =>
      sampleEvents.track({ properties: { quantity: i, sku: `A-${i}` } }),
    );
    const bad = sampleEvents.track({ properties: { quantity: 3_000_000_000, sku: 'A-bad' } });
    const { history, supervisor } = startSupervisor(topic, config, [web]);
    await supervisor.start();
    try {
      await produce(producer, topic, web, [...good.slice(0, 13), bad, ...good.slice(13)]);
      const groupId = supervisor.loader(config.id)?.groupId ?? '';
      await waitFor(() => caughtUp(kafka, groupId, topic), 30000, 'every event handled');
      const reader = readerFor(config);
      let rows;
      try {
        rows = new Map((await reader.readTable(schema, 'order_completed')).map((r) => [r['id'], r]));
      } finally {
        await reader.close();
      }
      expect(rows.size).toBe(22);
      // The event is there without its refused value; its neighbours are untouched.
      expect(rows.get(bad.messageId)).toMatchObject({ quantity: null, sku: 'A-bad' });
      for (const [i, event] of good.entries()) expect(rows.get(event.messageId)).toMatchObject({ quantity: i });
      expect(supervisor.loader(config.id)?.stats.skippedEvents).toBe(0);
      // The batch's record names the value left out, with the warehouse's reason; nothing failed.
      expect(history.records.filter((r) => r.status === 'failure')).toEqual([]);
      expect(history.records.reduce((sum, r) => sum + r.events, 0)).toBe(21);
      expect(history.records.flatMap((r) => r.skipped ?? [])).toEqual([]);
      const refused = history.records.flatMap((r) => r.notices.filter((n) => n.kind === 'value_refused'));
      expect(refused).toEqual([
        {
          kind: 'value_refused',
          table: 'order_completed',
          column: 'quantity',
          messageId: bad.messageId,
          reason: expect.stringMatching(kind === 'postgres' ? /out of range.*SQLSTATE 22003/ : /conver/i) as string,
          count: 1,
        },
      ]);
      expect(history.records.find((r) => r.notices.length > 0)?.status).toBe('partial');
      // Operators see it without reading records: the loader's metrics count it by kind.
      expect(supervisor.loader(config.id)?.stats.valueNotices).toEqual({
        dropped: { value_refused: 1 },
        converted: {},
      });
      const metrics = await scrapeLoaderMetrics(supervisor);
      expect(
        sampleValue(metrics, 'manifold_warehouse_loader_values_dropped_total', {
          warehouse_id: config.id,
          kind: 'value_refused',
        }),
      ).toBe(1);
    } finally {
      await supervisor.stop();
    }
  }, 90000);
});

describe('postgres warehouse limits the planner cannot foresee', () => {
  it('sets aside an identify whose userId is too long for the users key (SQLSTATE 54000) and goes on', async () => {
    const topic = await eventsTopic(kafka, 1);
    const web = source();
    const config = warehouse('postgres', { url: warehousePostgresUrl }, [web.id]);
    const { history, supervisor } = startSupervisor(topic, config, [web]);
    const schema = schemaNameForSource(web.slug);
    // 3,000 random characters: PostgreSQL indexes at most 2,704 bytes per key, on every retry.
    const bad = sampleEvents.identify({ userId: randomBytes(1500).toString('hex') });
    const good = [
      sampleEvents.identify({ userId: 'u-1' }),
      sampleEvents.track(),
      sampleEvents.identify({ userId: 'u-2' }),
      sampleEvents.track(),
    ];
    await supervisor.start();
    try {
      await produce(producer, topic, web, [...good.slice(0, 2), bad, ...good.slice(2)]);
      const groupId = supervisor.loader(config.id)?.groupId ?? '';
      await waitFor(() => caughtUp(kafka, groupId, topic), 30000, 'every event handled');
      expect((await ids(config, schema, 'users')).sort()).toEqual(['u-1', 'u-2']);
      expect(await ids(config, schema, 'identifies')).toHaveLength(2);
      expect(await ids(config, schema, 'tracks')).toHaveLength(2);
      const skipped = history.records.flatMap((r) => r.skipped ?? []);
      expect(skipped).toEqual([
        { messageId: bad.messageId, reason: expect.stringContaining('SQLSTATE 54000') as string },
      ]);
      expect(skipped[0]?.reason).toContain('index row size');

      const later = sampleEvents.identify({ userId: 'u-3' });
      await produce(producer, topic, web, [later]);
      await waitFor(() => caughtUp(kafka, groupId, topic), 30000, 'the next load');
      expect((await ids(config, schema, 'users')).sort()).toEqual(['u-1', 'u-2', 'u-3']);
    } finally {
      await supervisor.stop();
    }
  }, 90000);
});

describe('stall signal', () => {
  it('turns on in /readyz and the stats when loads keep failing, and off once they succeed', async () => {
    const topic = await eventsTopic(kafka, 1);
    const web = source();
    const { proxy, url: proxiedUrl } = await TcpProxy.inFrontOf(warehousePostgresUrl);
    const config = warehouse('postgres', { url: proxiedUrl }, [web.id]);
    const readiness = new ReadinessRegistry();
    const app = await startLoaderApp({
      config: new InMemoryConfigView(snapshot([web], [config])),
      kafkaBrokers,
      logger,
      eventsTopic: topic,
      loadsTopic: uniqueName('wh-loads'),
      readiness,
      loaderOptions: { backoff: { initialMs: 200, maxMs: 500 }, stallAfterIntervals: 3 },
    });
    const stats = () => app.supervisor.loader(config.id)?.stats;
    try {
      await produce(producer, topic, web, [sampleEvents.track()]);
      await waitFor(() => stats()?.rowsLoaded === 2, 30000, 'the first load');
      expect((await readiness.report()).ready).toBe(true);

      proxy.cut();
      await produce(producer, topic, web, [sampleEvents.track(), sampleEvents.track()]);
      // Sync interval 1 s: stalled once events waited 3 s with no load.
      await waitFor(() => stats()?.stalled === 1, 30000, 'the stall signal');
      expect(stats()?.secondsSinceLastLoad).toBeGreaterThanOrEqual(3);
      const report = await readiness.report();
      expect(report.ready).toBe(false);
      expect(report.checks['warehouse loads']?.error).toMatch(
        new RegExp(`warehouse ${config.id}: no load for \\d+ s while events wait .*last error`),
      );

      proxy.restore();
      await waitFor(() => stats()?.stalled === 0, 30000, 'the stall signal to clear');
      expect(stats()?.rowsLoaded).toBe(6);
      expect((await readiness.report()).ready).toBe(true);
    } finally {
      await app.stop();
      await proxy.stop();
    }
  }, 90000);
});
