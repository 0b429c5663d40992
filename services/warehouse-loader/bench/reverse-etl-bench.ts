// pnpm bench:reverse-etl — a Reverse ETL model over a table of BENCH_ROWS rows (default 1,000,000)
// in PostgreSQL and in DuckDB, RETL_BENCH_CHANGED of them changed since the last run (default 1 %:
// half updated, a quarter deleted, a quarter added): how long the diff takes in the warehouse, and
// how many row changes per second the runner publishes to Kafka (a run with the diff, no rate
// limit), with the CPU time this process spends per published row (wall time means little on a
// shared machine), the cores the machine, this process and the runner's thread kept busy, and its
// RSS before and after.
//
// Env: KAFKA_BROKERS (default 127.0.0.1:9092), MONGO_URL (default mongodb://127.0.0.1:27017/),
// WAREHOUSE_POSTGRES_URL (default postgres://postgres@127.0.0.1:5433/postgres), BENCH_ROWS,
// RETL_BENCH_CHANGED (e.g. 100000, so that a run's fixed costs do not dominate),
// RETL_BENCH_PAGE_SIZE (default the runner's, 1,000), RETL_BENCH_TARGETS (default postgres,duckdb),
// RETL_BENCH_RUNS (runs per target, default 2: the first in a process runs code V8 has not optimised
// yet, the second as in a loader that ran one before; each changes the table again first),
// RETL_BENCH_CPU_PROF (a folder: a CPU profile of the main thread during each run, from its first
// read to its switch to `delivering`, as <target>-run-<n>.cpuprofile; the diff is left out).
// Run with the loader's heap flags (package.json: --max-semi-space-size=64, as k8s/ and deploy/ give
// it), so that its resident set is the loader's.
// Uses its own table, model, topic and MongoDB database, and drops them.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaClient, type EventProducer } from '@manifold/kafka';
import { createLogger } from '@manifold/logger';
import { connectMongo } from '@manifold/mongo';
import {
  ReverseEtlStore,
  zeroCounts,
  type ReverseEtlConnection,
  type ReverseEtlModel,
  type ReverseEtlRun,
} from '@manifold/reverse-etl';
import { DuckdbEngine, PostgresEngine, type ModelDiffEngine, type WarehouseEngine } from '@manifold/warehouse';
import { runWarehouseSql } from '@manifold/warehouse/testing';
import { runModel } from '../src/reverse-etl';
import { busyCores, sampleMachineCpu, type MachineCpuSample } from './machine-cpu';

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const mongoUrl = process.env['MONGO_URL'] ?? 'mongodb://127.0.0.1:27017/';
const pgUrl = process.env['WAREHOUSE_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5433/postgres';
const rows = Number(process.env['BENCH_ROWS'] ?? 1_000_000);
const changed = Number(process.env['RETL_BENCH_CHANGED'] ?? rows / 100);
const pageSize = Number(process.env['RETL_BENCH_PAGE_SIZE'] ?? 1000);
const runsPerTarget = Number(process.env['RETL_BENCH_RUNS'] ?? 2);
const targetKinds = (process.env['RETL_BENCH_TARGETS'] ?? 'postgres,duckdb').split(',');
// Every `step`-th row is deleted, every `step / 2`-th updated, and rows / step added: changed in all.
const step = Math.max(4, Math.round((rows * 4) / changed / 2) * 2);
const logger = createLogger('reverse-etl-bench', process.env['LOG_LEVEL'] ?? 'warn');
const runId = Date.now().toString(36);

const profileDir = process.env['RETL_BENCH_CPU_PROF'];

/** Starts profiling this thread when RETL_BENCH_CPU_PROF is set; the function returned writes the profile. */
async function startCpuProfile(): Promise<(name: string) => Promise<void>> {
  if (!profileDir) return async () => undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return async (name) => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    await writeFile(join(profileDir, `${name}.cpuprofile`), JSON.stringify(profile));
  };
}

const mib = (bytes: number): number => Math.round(bytes / 2 ** 20);

/** CPU time over a stretch of wall time, as cores kept busy. */
const coresOf = (cpu: NodeJS.CpuUsage, wallMs: number): string => ((cpu.user + cpu.system) / 1000 / wallMs).toFixed(2);

/** The heap in use after a full collection (what the run kept), when node runs with --expose-gc. */
function settledHeap(): number | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return undefined;
  gc();
  return process.memoryUsage().heapUsed;
}

interface Target {
  kind: string;
  engine: WarehouseEngine;
  exec(sql: string): Promise<void>;
  /** The warehouse's integer sequence 1..n as a FROM item with column g. */
  series(n: number): string;
}

async function bench(target: Target, store: ReverseEtlStore, producer: EventProducer, topic: string): Promise<void> {
  const table = `bench_retl.customers_${runId}`;
  const modelId = `bench_${target.kind}_${runId}`;
  await target.exec('CREATE SCHEMA IF NOT EXISTS bench_retl');
  let mark = performance.now();
  await target.exec(
    `CREATE TABLE ${table} AS SELECT g AS id, 'user' || CAST(g AS VARCHAR) || '@example.com' AS email,
       g * 1.5 AS ltv, CAST(g % 5 AS VARCHAR) AS tier FROM ${target.series(rows)}`,
  );
  const createMs = performance.now() - mark;
  const query = { modelId, sql: `SELECT id, email, ltv, tier FROM ${table}`, identifierColumn: 'id' };
  try {
    mark = performance.now();
    await target.engine.models.prepare(query, { startFromNow: true });
    await target.engine.models.promote(modelId);
    const snapshotMs = performance.now() - mark;

    console.log(
      `${target.kind}: ${rows.toLocaleString('en')} rows (table made in ${(createMs / 1000).toFixed(1)} s; first snapshot, start from now: ${(snapshotMs / 1000).toFixed(1)} s); node ${process.execArgv.filter((f) => f.startsWith('--max-') || f.startsWith('--heap')).join(' ') || '(default heap flags)'}`,
    );
    for (let round = 1; round <= runsPerTarget; round++)
      await benchRun(target, store, producer, topic, query, table, round);
  } finally {
    await target.engine.models.reset(modelId);
    await target.exec(`DROP TABLE IF EXISTS ${table}`);
  }
}

/** One run of the model: rows changed in the table, the diff, then the runner publishes and promotes. */
async function benchRun(
  target: Target,
  store: ReverseEtlStore,
  producer: EventProducer,
  topic: string,
  query: { modelId: string; sql: string; identifierColumn: string },
  table: string,
  round: number,
): Promise<void> {
  const modelId = query.modelId;
  await target.exec(`UPDATE ${table} SET ltv = ltv + 1 WHERE id % ${step / 2} = 0`);
  await target.exec(`DELETE FROM ${table} WHERE id % ${step} = ${(round * 2 - 1) % step}`);
  await target.exec(
    `INSERT INTO ${table} SELECT g + ${rows * round} AS id, 'new' || CAST(g AS VARCHAR) || '@example.com', 1.0, '0'
       FROM ${target.series(Math.floor(rows / step))}`,
  );

  let mark = performance.now();
  const prepared = await target.engine.models.prepare(query);
  const diffMs = performance.now() - mark;

  const now = new Date().toISOString();
  const model: ReverseEtlModel = {
    id: modelId,
    workspaceId: 'bench',
    name: 'bench',
    warehouseId: 'bench',
    ...query,
    schedule: { kind: 'manual' },
    enabled: true,
    startFromNow: false,
    createdAt: now,
    updatedAt: now,
  };
  const connection: ReverseEtlConnection = {
    id: 'bench',
    workspaceId: 'bench',
    modelId,
    destinationId: 'bench',
    changeKinds: ['added', 'updated', 'deleted'],
    action: 'send',
    fields: {},
    enabled: true,
    rowsPerSecond: 1_000_000,
  };
  // The diff is done: the runner takes the run up at its publishing phase, as after a restart.
  const unfinished: ReverseEtlRun = {
    id: `bench-${target.kind}-${runId}-${round}`,
    modelId,
    workspaceId: 'bench',
    trigger: 'manual',
    status: 'running',
    phase: 'publishing',
    startedAt: now,
    rowText: 'warehouse',
    counts: prepared.counts,
    published: zeroCounts(),
    skipped: zeroCounts(),
  };
  await store.insertRun(unfinished);
  // The run's phases timed apart, on the engine and store as the runner sees them: publishing
  // from the first read to the last page recorded (Kafka acknowledged it, MongoDB holds it), the
  // promotion, then the switch to `delivering` (the run then waits for the translators' outcomes,
  // which this bench does not run: that wait is not timed here).
  const phases = { firstRead: 0, lastRecorded: 0, promoteStart: 0, promoteEnd: 0 };
  let cpuBefore = process.cpuUsage();
  let cpuPublishing: NodeJS.CpuUsage | undefined;
  // The runner's own thread (the process's CPU adds V8's compiler and collector threads, DuckDB's).
  let threadBefore = process.threadCpuUsage();
  let threadPublishing: NodeJS.CpuUsage | undefined;
  // The whole machine over the same stretch: the runner's rate is bound by its thread, or by cores
  // the broker, the warehouse and MongoDB take meanwhile (this machine has two for all of them).
  let machinePublishing: MachineCpuSample | undefined;
  const models = target.engine.models;
  const timedModels: ModelDiffEngine = Object.assign(Object.create(models) as ModelDiffEngine, {
    readChanges(id: string, afterKey: string | undefined, limit: number) {
      phases.firstRead ||= performance.now();
      return models.readChanges(id, afterKey, limit);
    },
    async promote(id: string) {
      // The CPU up to here is the publishing's (the last page was recorded just before).
      cpuPublishing = process.cpuUsage(cpuBefore);
      threadPublishing = process.threadCpuUsage(threadBefore);
      machinePublishing = sampleMachineCpu();
      phases.promoteStart = performance.now();
      await models.promote(id);
      phases.promoteEnd = performance.now();
    },
  });
  const engine: WarehouseEngine = Object.assign(Object.create(target.engine) as WarehouseEngine, {
    models: timedModels,
  });
  const timedStore: ReverseEtlStore = Object.assign(Object.create(store) as ReverseEtlStore, {
    async recordPage(...args: Parameters<ReverseEtlStore['recordPage']>) {
      await store.recordPage(...args);
      phases.lastRecorded = performance.now();
    },
  });
  const heapBefore = settledHeap();
  const rssBefore = process.memoryUsage().rss;
  const peak = { rss: rssBefore, heapTotal: 0, external: 0 };
  const sampling = setInterval(() => {
    const usage = process.memoryUsage();
    peak.rss = Math.max(peak.rss, usage.rss);
    peak.heapTotal = Math.max(peak.heapTotal, usage.heapTotal);
    peak.external = Math.max(peak.external, usage.external);
  }, 20);
  const writeProfile = await startCpuProfile();
  cpuBefore = process.cpuUsage();
  threadBefore = process.threadCpuUsage();
  const machineBefore = sampleMachineCpu();
  mark = performance.now();
  const run = await runModel(
    {
      store: timedStore,
      producer,
      eventsTopic: topic,
      logger,
      pageSize,
      signal: new AbortController().signal,
    },
    model,
    [connection],
    engine,
    { trigger: 'manual', unfinished },
  );
  const end = performance.now();
  const cpuRun = process.cpuUsage(cpuBefore);
  await writeProfile(`${target.kind}-run-${round}`);
  clearInterval(sampling);
  const rssAfter = process.memoryUsage().rss;
  const heapAfter = settledHeap();
  const published = run.published.added + run.published.updated + run.published.deleted;
  const cpu = cpuPublishing ?? cpuRun;
  const cpuPerRow = (cpu.user + cpu.system) / Math.max(1, published);
  const publishMs = phases.lastRecorded - phases.firstRead;
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;
  console.log(
    [
      `${target.kind}, run ${round} of ${runsPerTarget} ${round === 1 ? '(the first in this process: its code not yet optimised)' : '(this process ran one before)'}:`,
      `  diff in the warehouse: ${(diffMs / 1000).toFixed(2)} s → added ${prepared.counts.added}, updated ${prepared.counts.updated}, deleted ${prepared.counts.deleted}`,
      `  published (first row read → last page acknowledged by Kafka and recorded in MongoDB, pages of ${pageSize.toLocaleString('en')}): ${seconds(publishMs)}, ${published} row changes, ${Math.round(published / (publishMs / 1000)).toLocaleString('en')} rows/s`,
      `  before the first read ${seconds(phases.firstRead - mark)}; promote ${seconds(phases.promoteEnd - phases.promoteStart)}; to "${run.status}" (the wait for the translators' outcomes starts there, not run here) ${seconds(end - phases.promoteEnd)}; run in all ${seconds(end - mark)}`,
      `  CPU of this process while publishing: ${cpuPerRow.toFixed(1)} µs per published row (user ${(cpu.user / 1000).toFixed(0)} ms, system ${(cpu.system / 1000).toFixed(0)} ms); whole run ${((cpuRun.user + cpuRun.system) / 1000).toFixed(0)} ms`,
      `  cores while publishing (from the start of the run to the promotion): the machine ${busyCores(machineBefore, machinePublishing)} busy; this process ${coresOf(cpu, phases.promoteStart - mark)}, its main thread (the runner) ${threadPublishing ? coresOf(threadPublishing, phases.promoteStart - mark) : 'not measured'}`,
      `  RSS during the run: ${mib(rssBefore)} MiB before, ${mib(peak.rss)} MiB at most (V8 heap ${mib(peak.heapTotal)}, external ${mib(peak.external)} at most), ${mib(rssAfter)} MiB after` +
        (heapBefore === undefined ? '' : `; heap after a full GC ${mib(heapBefore)} → ${mib(heapAfter ?? 0)} MiB`),
    ].join('\n'),
  );
}

async function main(): Promise<void> {
  const kafka = new KafkaClient({ brokers, clientId: 'reverse-etl-bench', logger });
  const topic = `bench.retl.${runId}`;
  await kafka.ensureTopics([{ topic, partitions: 6 }]);
  const mongo = await connectMongo({
    url: mongoUrl,
    database: `benchretl${runId}`,
    appName: 'reverse-etl-bench',
    logger,
  });
  const store = new ReverseEtlStore(mongo.db);
  const dir = await mkdtemp(join(tmpdir(), 'retl-bench-'));
  const duckdbPath = join(dir, 'bench.duckdb');
  const allTargets: Target[] = [
    {
      kind: 'postgres',
      engine: new PostgresEngine({ connection: { url: pgUrl }, logger }),
      exec: (sql) => runWarehouseSql({ postgresUrl: pgUrl }, sql),
      series: (n) => `generate_series(1, ${n}) AS s(g)`,
    },
    {
      kind: 'duckdb',
      engine: new DuckdbEngine({ path: duckdbPath, logger }),
      exec: (sql) => runWarehouseSql({ duckdbPath }, sql),
      series: (n) => `range(1, ${n + 1}) AS s(g)`,
    },
  ];
  const targets = allTargets.filter((t) => targetKinds.includes(t.kind));
  // One producer for every run, connected before the first, as the loader's runner has.
  const producer = await kafka.producer();
  try {
    for (const target of allTargets.filter((t) => !targets.includes(t))) await target.engine.close();
    for (const target of targets) {
      try {
        await bench(target, store, producer, topic);
      } finally {
        await target.engine.close();
      }
    }
  } finally {
    await producer.disconnect();
    await kafka.deleteTopics([topic]).catch(() => undefined);
    await kafka.disconnect();
    await mongo.db.dropDatabase();
    await mongo.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
