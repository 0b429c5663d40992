// Timestamps that name no zone (`2026-01-02T10:00:00`: a property from a naive datetime, a
// client's timestamp or sentAt as sent) are UTC, as every Spec timestamp is, whatever zone the
// loader's host or the PostgreSQL server is set to. The loader runs as a child process on a host
// in New York, loading into DuckDB and into a PostgreSQL whose sessions are in Tokyo.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaClient } from '@manifold/kafka';
import { requireKafka, requirePostgres, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { DuckdbEngine, PostgresEngine, schemaNameForSource, type WarehouseEngine } from '@manifold/warehouse';
import { sampleEvents } from '@manifold/warehouse/testing';
import { caughtUp, eventsTopic, produce, snapshot, source, waitFor, warehouse } from './testing/harness';
import { startLoaderProcess, type LoaderProcess } from './testing/loader-process';

const logger = testLogger('time-zones');
const { kafkaBrokers, warehousePostgresUrl } = testInfrastructure();

describe('timestamps without a zone', () => {
  let dir: string;
  let kafka: KafkaClient;
  let loader: LoaderProcess | undefined;

  beforeAll(async () => {
    await requireKafka(kafkaBrokers);
    await requirePostgres(warehousePostgresUrl);
    dir = await mkdtemp(join(tmpdir(), 'manifold-tz-'));
    kafka = new KafkaClient({ brokers: kafkaBrokers, clientId: 'time-zones-test', logger });
  });

  afterAll(async () => {
    loader?.child.kill('SIGKILL');
    await kafka?.disconnect();
    await rm(dir, { recursive: true, force: true });
  });

  it('are loaded as UTC on both engines, whatever the host and server zones', async () => {
    const topic = await eventsTopic(kafka, 1);
    const web = source();
    const tokyo = new URL(warehousePostgresUrl);
    tokyo.searchParams.set('options', '-c TimeZone=Asia/Tokyo');
    const duckdbPath = join(dir, 'tz.duckdb');
    const pgWarehouse = warehouse('postgres', { url: tokyo.toString() }, [web.id]);
    const duckWarehouse = warehouse('duckdb', { path: duckdbPath }, [web.id]);
    const event = sampleEvents.track({
      event: 'Visit Booked',
      originalTimestamp: '2026-03-01T09:59:59',
      sentAt: '2026-03-01 10:00:00.500',
      properties: { startsAt: '2026-04-02T10:00:00', endsAt: '2026-04-02T11:30:00Z' },
    });
    // Ten fraction digits: not typed a timestamp itself, but cast into the timestamp column the
    // first event made (read by the loader's JavaScript, not by the warehouse).
    const later = sampleEvents.track({
      event: 'Visit Booked',
      properties: { startsAt: '2026-04-03T10:00:00.1234567890' },
    });
    const producer = await kafka.producer();
    await produce(producer, topic, web, [event, later]);
    await producer.disconnect();

    loader = await startLoaderProcess({
      dir,
      snapshot: snapshot([web], [pgWarehouse, duckWarehouse]),
      env: {
        TZ: 'America/New_York',
        KAFKA_BROKERS: kafkaBrokers.join(','),
        EVENTS_TOPIC: topic,
        WAREHOUSE_LOADS_TOPIC: uniqueName('tz-loads'),
      },
    });
    const started = loader;
    await waitFor(
      async () =>
        (await caughtUp(kafka, `manifold-warehouse-${pgWarehouse.id}`, topic)) &&
        (await caughtUp(kafka, `manifold-warehouse-${duckWarehouse.id}`, topic)),
      60000,
      'both warehouses to load the event',
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${started.output().slice(-3000)}`);
    });
    started.child.kill('SIGTERM');
    await started.exited;

    const schema = schemaNameForSource(web.slug);
    const readers: Array<[string, WarehouseEngine]> = [
      ['postgres', new PostgresEngine({ connection: { url: warehousePostgresUrl }, logger })],
      ['duckdb', new DuckdbEngine({ path: duckdbPath, logger })],
    ];
    for (const [kind, reader] of readers) {
      try {
        const rows = await reader.readTable(schema, 'visit_booked');
        const row = rows.find((r) => r['id'] === event.messageId);
        expect({ kind, starts_at: rows.find((r) => r['id'] === later.messageId)?.['starts_at'] }).toEqual({
          kind,
          starts_at: '2026-04-03T10:00:00.123Z',
        });
        expect({ kind, ...row }).toMatchObject({
          kind,
          original_timestamp: '2026-03-01T09:59:59.000Z',
          sent_at: '2026-03-01T10:00:00.500Z',
          starts_at: '2026-04-02T10:00:00.000Z',
          ends_at: '2026-04-02T11:30:00.000Z',
        });
      } finally {
        await reader.close();
      }
    }
  }, 90000);
});
