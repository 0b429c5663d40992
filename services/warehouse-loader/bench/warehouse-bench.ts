// pnpm bench:warehouse — rows/s the loader writes into PostgreSQL from the events topic, against
// a raw COPY of the same rows into identical tables in the same run, and their ratio.
//
// Env: KAFKA_BROKERS (default 127.0.0.1:9092), WAREHOUSE_POSTGRES_URL (default
// postgres://postgres@127.0.0.1:5433/postgres), BENCH_EVENTS (default 100000),
// BENCH_BATCH_SIZE (events per load, default 20000). Uses its own topic and schemas, and drops them.
//
// It also prints the CPU each phase used (this process, PostgreSQL's processes, the Kafka broker;
// from /proc, on Linux) and the CPU of a third pass that only consumes the topic and parses each
// event, which no loader can skip: with those, how far a target is from what the machine's cores
// allow is arithmetic, not a guess.
import { availableParallelism } from 'node:os';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { InMemoryConfigView } from '@manifold/config-client';
import { encodeEventMessage, type SpecEvent } from '@manifold/events';
import { KafkaClient } from '@manifold/kafka';
import { createLogger } from '@manifold/logger';
import { processCpuSeconds } from '@manifold/testing';
import { buildSourceBatch, planLoad, schemaNameForSource } from '@manifold/warehouse';
import { sampleEvents, copyChunks, POSTGRES_TYPES, qualified, quoteIdent } from '@manifold/warehouse/testing';
import { LoaderSupervisor } from '../src/loader-supervisor';
import type { LoadHistory } from '../src/load-history';

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const pgUrl = process.env['WAREHOUSE_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5433/postgres';
const eventCount = Number(process.env['BENCH_EVENTS'] ?? 100000);
const batchSize = Number(process.env['BENCH_BATCH_SIZE'] ?? 20000);
const logger = createLogger('warehouse-bench', process.env['LOG_LEVEL'] ?? 'warn');
const runId = `${Date.now().toString(36)}`;

/** PostgreSQL's server processes (postmaster and backends); the Kafka broker (its main class). */
const POSTGRES_PROCESSES = /^(\S*\/)?postgres(:| |$)/;
const KAFKA_BROKER = /\bkafka\.Kafka\b/;

interface CpuMark {
  self: NodeJS.CpuUsage;
  postgres: number | undefined;
  kafka: number | undefined;
  at: number;
}

/** CPU seconds of this process, PostgreSQL and the broker since `from`, and the wall time. */
interface CpuSpent {
  self: number;
  postgres: number | undefined;
  kafka: number | undefined;
  wall: number;
}

function cpuMark(): CpuMark {
  return {
    self: process.cpuUsage(),
    postgres: processCpuSeconds(POSTGRES_PROCESSES),
    kafka: processCpuSeconds(KAFKA_BROKER),
    at: performance.now(),
  };
}

function cpuSince(from: CpuMark): CpuSpent {
  const now = cpuMark();
  const self = process.cpuUsage(from.self);
  const minus = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? undefined : a - b;
  return {
    self: (self.user + self.system) / 1e6,
    postgres: minus(now.postgres, from.postgres),
    kafka: minus(now.kafka, from.kafka),
    wall: (now.at - from.at) / 1000,
  };
}

const seconds = (value: number | undefined) => (value === undefined ? 'n/a' : `${value.toFixed(2)} s`);

function makeEvents(n: number): SpecEvent[] {
  const start = Date.parse('2026-03-01T00:00:00.000Z');
  return Array.from({ length: n }, (_, i) =>
    sampleEvents.track({
      userId: `user-${i % 5000}`,
      receivedAt: new Date(start + i).toISOString(),
      context: {
        library: { name: 'analytics.js', version: 'next-1.84.1' },
        ip: '203.0.113.9',
        page: { path: '/checkout', url: 'https://shop.example.com/checkout', title: 'Checkout' },
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130 Safari/537.36',
        locale: 'en-US',
      },
      properties: {
        order_id: `order-${i}`,
        revenue: 19.99 + (i % 100),
        currency: 'USD',
        coupon: i % 7 === 0 ? 'SPRING' : undefined,
        shipping: 4.5,
        tax: 1.2,
        products: [{ product_id: `p-${i % 300}`, price: 19.99, quantity: 1 }],
      },
    }),
  );
}

async function main(): Promise<void> {
  const kafka = new KafkaClient({ brokers, clientId: 'warehouse-bench', logger });
  const topic = `bench-warehouse-events-${runId}`;
  await kafka.ensureTopics([{ topic, partitions: 2 }]);
  const slug = `bench-${runId}`;
  const sourceConfig = {
    id: `bench-source-${runId}`,
    workspaceId: 'bench',
    workspaceSlug: 'bench',
    slug,
    name: slug,
    enabled: true,
    writeKeys: [],
    type: 'http',
  };
  const schema = schemaNameForSource(slug);
  const rawSchema = `${schema}_raw_copy`;
  const db = new pg.Client({ connectionString: pgUrl });
  await db.connect();

  process.stdout.write(`producing ${eventCount} track events to ${topic} ...\n`);
  const events = makeEvents(eventCount);
  const producer = await kafka.producer();
  for (let i = 0; i < events.length; i += 1000) {
    await producer.send(
      topic,
      events.slice(i, i + 1000).map((e) => encodeEventMessage(e, { sourceId: sourceConfig.id, workspaceId: 'bench' })),
      { timeoutMs: 30000 },
    );
  }
  await producer.disconnect();

  // 1. The loader: from the topic into PostgreSQL (consume, lay out, COPY to staging, merge, commit).
  let rowsLoaded = 0;
  let loads = 0;
  let firstLoadStart = Number.POSITIVE_INFINITY;
  let lastLoadEnd = 0;
  const history: LoadHistory = {
    record: async (r) => {
      if (r.status === 'failure') throw new Error(`load failed: ${r.errors.join('; ')}`);
      rowsLoaded += r.rows;
      loads++;
      firstLoadStart = Math.min(firstLoadStart, Date.parse(r.startedAt));
      lastLoadEnd = Math.max(lastLoadEnd, Date.parse(r.finishedAt));
    },
  };
  const warehouseId = `bench-${runId}`;
  const view = new InMemoryConfigView({
    version: 1,
    sources: [sourceConfig],
    destinations: [],
    warehouses: [
      {
        id: warehouseId,
        workspaceId: 'bench',
        name: 'bench',
        enabled: true,
        kind: 'postgres',
        settings: { url: pgUrl, batchSize },
        syncIntervalSeconds: 3600,
        sourceIds: [sourceConfig.id],
      },
    ],
  });
  const supervisor = new LoaderSupervisor({
    config: view,
    kafka,
    history,
    logger,
    loaderOptions: { eventsTopic: topic },
  });
  // BENCH_PROFILE=file.cpuprofile records where the loader's CPU time goes (open in Chrome DevTools).
  const profileFile = process.env['BENCH_PROFILE'];
  const inspector = profileFile ? new Session() : undefined;
  if (inspector) {
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.start');
  }
  const startedAt = performance.now();
  const loaderCpuStart = cpuMark();
  await supervisor.start();
  const loader = supervisor.loader(warehouseId);
  if (!loader) throw new Error('loader did not start');
  let firstFetch = 0;
  while (rowsLoaded < eventCount * 2) {
    if (!firstFetch && (loader.stats.pendingEvents > 0 || loads > 0)) firstFetch = performance.now();
    if (loader.stats.pendingEvents > 0 && loader.stats.pendingEvents + rowsLoaded / 2 >= eventCount) {
      await loader.flushNow();
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const finishedAt = performance.now();
  const loaderCpu = cpuSince(loaderCpuStart);
  const { timings } = loader.stats;
  if (inspector && profileFile) {
    const { profile } = await inspector.post('Profiler.stop');
    await writeFile(profileFile, JSON.stringify(profile));
    inspector.disconnect();
  }
  await supervisor.stop();
  const loaderSeconds = (finishedAt - firstFetch) / 1000;
  const loaderRate = rowsLoaded / loaderSeconds;

  // 2. Raw COPY of the same rows into identical tables (same columns, types and primary key).
  const batch = buildSourceBatch(events, { schema: rawSchema, uuidTs: new Date().toISOString(), maxStringLength: 512 });
  const plan = planLoad(batch, undefined);
  await db.query(`CREATE SCHEMA ${quoteIdent(rawSchema)}`);
  for (const table of plan.tables) {
    const columns = table.columns.map(
      (c) => `${quoteIdent(c.name)} ${POSTGRES_TYPES[c.type]}${c.name === 'id' ? ' PRIMARY KEY' : ''}`,
    );
    await db.query(`CREATE TABLE ${qualified(rawSchema, table.name)} (${columns.join(', ')})`);
  }
  let rawRows = 0;
  const rawCpuStart = cpuMark();
  const rawStart = performance.now();
  for (const table of plan.tables) {
    const columnList = table.columns.map((c) => quoteIdent(c.name)).join(', ');
    await db.query('BEGIN');
    await pipeline(
      Readable.from(copyChunks(table.rows)),
      db.query(copyFrom(`COPY ${qualified(rawSchema, table.name)} (${columnList}) FROM STDIN`)),
    );
    await db.query('COMMIT');
    rawRows += table.rows.length;
  }
  const rawSeconds = (performance.now() - rawStart) / 1000;
  const rawCpu = cpuSince(rawCpuStart);
  const rawRate = rawRows / rawSeconds;

  // 3. What no loader can skip: reading every event from the topic and parsing it.
  const floorCpu = await consumeAndParse(kafka, topic, eventCount);

  const check = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${qualified(schema, 'tracks')}`);
  process.stdout.write(
    [
      '',
      `events: ${eventCount} track calls → ${rowsLoaded} rows (tracks + order_completed), ${loads} loads of up to ${batchSize} events`,
      `loader, topic → PostgreSQL:  ${loaderRate.toFixed(0)} rows/s  (${loaderSeconds.toFixed(2)} s from first fetch to last commit; ${((finishedAt - startedAt) / 1000).toFixed(2)} s including the consumer group join)`,
      `  time in loads: ${((lastLoadEnd - firstLoadStart) / 1000).toFixed(2)} s from the first load's start to the last one's end; summed: ` +
        Object.entries(timings)
          .map(([k, v]) => `${k.replace('Ms', '')} ${(v / 1000).toFixed(2)} s`)
          .join(', '),
      `raw COPY of the same rows:   ${rawRate.toFixed(0)} rows/s  (${rawSeconds.toFixed(2)} s)`,
      `ratio loader / raw COPY:     ${(loaderRate / rawRate).toFixed(2)}  (target ≥ 0.70)`,
      ...cpuReport(loaderCpu, rawCpu, floorCpu, rawSeconds / 0.7),
      `check: ${check.rows[0]?.n} rows in ${schema}.tracks`,
      '',
    ].join('\n'),
  );

  await db.query(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
  await db.query(`DROP SCHEMA ${quoteIdent(rawSchema)} CASCADE`);
  await db.end();
  await kafka.deleteTopics([topic]);
  await kafka.disconnect();
}

/** CPU of this process to consume `count` events of `topic` in a new group and JSON.parse each. */
async function consumeAndParse(kafka: KafkaClient, topic: string, count: number): Promise<CpuSpent> {
  let seen = 0;
  let start: CpuMark | undefined;
  let done: (spent: CpuSpent) => void = () => undefined;
  const finished = new Promise<CpuSpent>((resolve) => (done = resolve));
  const consumer = kafka.consumer({
    groupId: `${topic}-parse-only`,
    topics: [topic],
    fromBeginning: true,
    commitMode: 'manual',
    handleBatch: async (batch) => {
      start ??= cpuMark();
      for (const message of batch.messages) {
        if (message.value) JSON.parse(message.value.toString('utf8'));
        seen++;
      }
      if (seen >= count) done(cpuSince(start));
    },
  });
  await consumer.run();
  const spent = await finished;
  await consumer.stop();
  return spent;
}

/**
 * The CPU each phase used, and the arithmetic of the target: to reach it the loader's phase must
 * end within `targetSeconds`, and everything that runs meanwhile shares the machine's cores.
 */
function cpuReport(loader: CpuSpent, raw: CpuSpent, floor: CpuSpent, targetSeconds: number): string[] {
  const cores = availableParallelism();
  const lines = [
    `CPU, loader phase:  loader ${seconds(loader.self)}, PostgreSQL ${seconds(loader.postgres)}, Kafka broker ${seconds(loader.kafka)} in ${loader.wall.toFixed(2)} s on ${cores} cores`,
    `CPU, raw COPY:      client ${seconds(raw.self)} (COPY text and sending it), PostgreSQL ${seconds(raw.postgres)} in ${raw.wall.toFixed(2)} s`,
    `CPU, consuming the topic and JSON.parse of each event, nothing else: ${seconds(floor.self)}`,
  ];
  if (loader.postgres === undefined || loader.kafka === undefined) return lines;
  const loaderBudget = cores * targetSeconds - loader.postgres - loader.kafka;
  lines.push(
    `  for 0.70 the loader's phase must take at most ${targetSeconds.toFixed(2)} s: with every core busy all along, that leaves the loader ` +
      `${seconds(loaderBudget)} of CPU; consuming and parsing plus the raw COPY's client side already take ${seconds(floor.self + raw.self)}`,
  );
  return lines;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
