// @ts-check
// One translator process as the benchmark runs it: the built package, real Kafka and FerretDB,
// telemetry on, and an in-memory configuration with one instance of BENCH_DESTINATION (webhook
// unless told) on the bench source.
//   BENCH_NAMESPACE, BENCH_EVENTS_TOPIC, BENCH_SETTINGS (the instance's settings, JSON),
//   BENCH_SOURCE_ID (set by the bench),
//   BENCH_TRACE (on or off: the per-event trace, on by default as in production),
//   BENCH_TRACE_REQUEST_BODIES (failures, the default, or all)
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { startTranslator, translatorSettings } = require('../dist/index.js');
const { InMemoryConfigView } = require('@manifold/config-client');
const { KafkaClient } = require('@manifold/kafka');
const { connectMongo } = require('@manifold/mongo');
const { createLogger } = require('@manifold/logger');
const { startTelemetry } = require('@manifold/telemetry');
const { benchDestination } = await import('./bench-destinations.mjs');

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const brokers = env('KAFKA_BROKERS', '127.0.0.1:9092').split(',');
const namespace = env('BENCH_NAMESPACE');
const sourceId = env('BENCH_SOURCE_ID', 'src-bench');
const destination = benchDestination();

const telemetry = startTelemetry({ serviceName: 'translator-bench' });
const logger = createLogger('translator-bench', process.env.LOG_LEVEL ?? 'warn');
const kafka = new KafkaClient({ brokers, clientId: 'translator-bench', logger });
const mongo = await connectMongo({
  url: env('MONGO_URL', 'mongodb://127.0.0.1:27017/'),
  database: namespace.replace(/[^a-z0-9]/gi, ''),
  appName: 'translator-bench',
  logger,
});
const configView = new InMemoryConfigView({
  version: 1,
  sources: [
    {
      id: sourceId,
      workspaceId: 'ws-bench',
      workspaceSlug: 'bench',
      slug: 'bench',
      name: 'Bench',
      enabled: true,
      writeKeys: [env('BENCH_WRITE_KEY', 'bench-write-key-0123456789')],
      type: 'http',
    },
  ],
  destinations: [
    {
      id: 'dest-bench',
      workspaceId: 'ws-bench',
      catalogId: destination.catalogId,
      catalogName: destination.catalogName,
      name: `Bench ${destination.catalogName}`,
      enabled: true,
      settings: JSON.parse(env('BENCH_SETTINGS')),
      sourceIds: [sourceId],
      filters: [],
    },
  ],
  warehouses: [],
});

const translator = await startTranslator({
  kafka,
  db: mongo.db,
  configView,
  logger,
  meter: telemetry.meter,
  settings: translatorSettings({
    destinationTypes: [destination.catalogId],
    eventsTopic: env('BENCH_EVENTS_TOPIC'),
    namespace,
    eventsTopicPartitions: Number(env('BENCH_PARTITIONS', '6')),
    trace: env('BENCH_TRACE', 'on') === 'on',
    traceRequestBodies: env('BENCH_TRACE_REQUEST_BODIES', 'failures') === 'all' ? 'all' : 'failures',
    ...(process.env.INSTANCE_CONCURRENCY ? { instanceConcurrency: Number(process.env.INSTANCE_CONCURRENCY) } : {}),
  }),
});
const cpuAtReady = process.cpuUsage();
process.stdout.write(`READY ${JSON.stringify({ pid: process.pid })}\n`);

process.on('SIGTERM', async () => {
  const cpu = process.cpuUsage(cpuAtReady);
  process.stdout.write(`CPU ${JSON.stringify({ userMs: cpu.user / 1000, systemMs: cpu.system / 1000 })}\n`);
  await translator.stop();
  await mongo.db.dropDatabase().catch(() => undefined);
  await mongo.close();
  await kafka.disconnect();
  await telemetry.shutdown();
  process.exit(0);
});
