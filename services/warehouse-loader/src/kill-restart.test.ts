// Kill the loader (SIGKILL, no chance to clean up) in the middle of a warehouse transaction and
// again at an arbitrary moment, restart it each time, and check every table holds each event
// exactly once and users hold their final traits.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { SpecEvent } from '@manifold/events';
import { KafkaClient } from '@manifold/kafka';
import { requireKafka, requirePostgres, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { PostgresEngine, schemaNameForSource } from '@manifold/warehouse';
import { sampleEvents } from '@manifold/warehouse/testing';
import { caughtUp, eventsTopic, produce, snapshot, source, waitFor, warehouse } from './testing/harness';
import { startLoaderProcess, type LoaderProcess } from './testing/loader-process';

const logger = testLogger('kill-restart');
const { kafkaBrokers, warehousePostgresUrl } = testInfrastructure();

function makeEvents(count: number): SpecEvent[] {
  const events: SpecEvent[] = [];
  const start = Date.parse('2026-03-01T00:00:00.000Z');
  for (let i = 0; i < count; i++) {
    const receivedAt = new Date(start + i * 1000).toISOString();
    const user = `user-${i % 150}`;
    if (i % 10 === 0) {
      events.push(sampleEvents.identify({ userId: user, receivedAt, traits: { step: i, [`seen_${i % 3}`]: true } }));
    } else if (i % 10 === 1) {
      events.push(sampleEvents.page({ userId: user, receivedAt }));
    } else {
      events.push(
        sampleEvents.track({
          userId: user,
          receivedAt,
          event: ['Product Viewed', 'Order Completed', 'Cart Viewed'][i % 3] ?? 'x',
          properties: { n: i, sku: `sku-${i % 40}` },
        }),
      );
    }
  }
  return events;
}

function expectedTables(events: SpecEvent[]): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  const add = (table: string, id: string) => tables.set(table, [...(tables.get(table) ?? []), id]);
  for (const e of events) {
    if (e.type === 'identify') add('identifies', e.messageId);
    if (e.type === 'page') add('pages', e.messageId);
    if (e.type === 'track') {
      add('tracks', e.messageId);
      add((e.event ?? '').toLowerCase().replace(' ', '_'), e.messageId);
    }
  }
  return tables;
}

function expectedUsers(events: SpecEvent[]): Map<string, Record<string, unknown>> {
  const users = new Map<string, Record<string, unknown>>();
  for (const e of events) {
    if (e.type !== 'identify' || !e.userId) continue;
    users.set(e.userId, { ...users.get(e.userId), ...e.traits, received_at: e.receivedAt });
  }
  return users;
}

describe('a loader killed and restarted', () => {
  let dir: string;
  let kafka: KafkaClient;
  let admin: pg.Client;
  const running: LoaderProcess[] = [];

  beforeAll(async () => {
    await requireKafka(kafkaBrokers);
    await requirePostgres(warehousePostgresUrl);
    dir = await mkdtemp(join(tmpdir(), 'manifold-kill-'));
    kafka = new KafkaClient({ brokers: kafkaBrokers, clientId: 'kill-restart-test', logger });
    admin = new pg.Client({ connectionString: warehousePostgresUrl });
    await admin.connect();
  });

  afterAll(async () => {
    for (const p of running) p.child.kill('SIGKILL');
    await kafka?.disconnect();
    await admin?.end();
    await rm(dir, { recursive: true, force: true });
  });

  it('leaves every table exact', async () => {
    const topic = await eventsTopic(kafka, 2);
    const web = source();
    const appName = uniqueName('kill-test').replaceAll('-', '_');
    const url = new URL(warehousePostgresUrl);
    url.searchParams.set('application_name', appName);
    const wh = warehouse('postgres', { url: url.toString(), batchSize: 1000 }, [web.id]);
    const config = snapshot([web], [wh]);
    const env = {
      KAFKA_BROKERS: kafkaBrokers.join(','),
      EVENTS_TOPIC: topic,
      WAREHOUSE_LOADS_TOPIC: uniqueName('kill-loads'),
      RETRY_INITIAL_MS: '200',
    };
    const events = makeEvents(12000);
    const producer = await kafka.producer();
    await produce(producer, topic, web, events);
    await producer.disconnect();
    const schema = schemaNameForSource(web.slug);
    const groupId = `manifold-warehouse-${wh.id}`;

    // 1. Kill while a warehouse transaction is open.
    const first = await startLoaderProcess({ dir, snapshot: config, env });
    running.push(first);
    await waitFor(
      async () => {
        const { rows } = await admin.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1 AND xact_start IS NOT NULL AND state <> 'idle'`,
          [appName],
        );
        return Number(rows[0]?.n) > 0;
      },
      60000,
      `a load transaction to be open (loader output: ${first.output().slice(-2000)})`,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${first.output().slice(-3000)}`);
    });
    first.child.kill('SIGKILL');
    await first.exited;
    let stillBehind = false;
    await waitFor(async () => ((stillBehind = !(await caughtUp(kafka, groupId, topic))), true), 20000, 'offsets');
    expect(stillBehind).toBe(true);

    // 2. Restart, and once it is loading again (a commit moved), kill it at an arbitrary moment.
    const committedSum = async () =>
      [...(await kafka.committedOffsets(groupId, topic)).values()].reduce((sum, o) => sum + Math.max(0, Number(o)), 0);
    const afterFirst = await committedSum();
    const second = await startLoaderProcess({ dir, snapshot: config, env });
    running.push(second);
    await waitFor(async () => (await committedSum()) > afterFirst, 90000, 'the second run to commit a load');
    await new Promise((r) => setTimeout(r, Math.random() * 1000));
    second.child.kill('SIGKILL');
    await second.exited;

    // 3. Restart and let it finish.
    const third = await startLoaderProcess({ dir, snapshot: config, env });
    running.push(third);
    // Started first: the second run may have loaded everything before it was killed, and a SIGTERM
    // that arrives before the process has its signal handlers ends it without a graceful stop.
    await waitFor(
      async () => third.output().includes('loader started') && (await caughtUp(kafka, groupId, topic)),
      120000,
      'the restarted loader to start and commit everything',
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${third.output().slice(-3000)}`);
    });
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);

    const reader = new PostgresEngine({ connection: { url: warehousePostgresUrl }, logger });
    try {
      for (const [table, ids] of expectedTables(events)) {
        const { rows } = await admin.query<{ id: string }>(`SELECT id FROM "${schema}"."${table}" ORDER BY id`);
        expect({ table, ids: rows.map((r) => r.id) }).toEqual({ table, ids: [...ids].sort() });
      }
      const users = await reader.readTable(schema, 'users');
      const expected = expectedUsers(events);
      expect(users).toHaveLength(expected.size);
      for (const user of users) {
        const want = expected.get(String(user['id']));
        expect({ id: user['id'], step: user['step'], received_at: user['received_at'] }).toEqual({
          id: user['id'],
          step: want?.['step'],
          received_at: want?.['received_at'],
        });
        for (const flag of ['seen_0', 'seen_1', 'seen_2']) expect(user[flag] ?? undefined).toEqual(want?.[flag]);
      }
    } finally {
      await reader.close();
    }
  }, 240000);
});
