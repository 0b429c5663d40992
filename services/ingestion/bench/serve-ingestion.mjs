// @ts-check
// The ingestion service as `pnpm bench:ingest` runs it: the built package (run `pnpm build`
// first) with a real Kafka producer and telemetry, and an in-memory config holding one source.
// Prints `READY {"url": ...}` once listening; SIGTERM drains and deletes the benchmark topic.
// bench:translate runs it too, as the front door of its end-to-end phase. BENCH_WORKERS=<n>
// runs it in workers mode: a primary (the process started) and n workers sharing the port.
//   BENCH_TOPIC, BENCH_WRITE_KEY, BENCH_SOURCE_ID, BENCH_PARTITIONS, PUBLISH_LINGER_MS, PUBLISH_MAX_CONCURRENT_SENDS
import cluster from 'node:cluster';
import { createRequire } from 'node:module';
import { benchConfigView } from './bench-config-view.mjs';

const require = createRequire(import.meta.url);
// Before anything else loads, as the service's entry point does.
require('../dist/limit-heap-growth-first.js');
const { startIngestion, ingestionSettings, runPrimary, WorkerLink } = require('../dist/index.js');
const { KafkaClient } = require('@manifold/kafka');
const { createLogger } = require('@manifold/logger');
const { startTelemetry } = require('@manifold/telemetry');

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const writeKey = process.env.BENCH_WRITE_KEY ?? 'bench-write-key';
const topic = process.env.BENCH_TOPIC ?? `manifold.bench.${Date.now().toString(36)}`;
const workers = Number(process.env.BENCH_WORKERS ?? 1);

if (workers > 1 && cluster.isPrimary) {
  // The workers run this script too, with the same topic.
  process.env.BENCH_TOPIC = topic;
  const primary = await runPrimary({
    workers,
    adminPort: 0,
    adminHost: '127.0.0.1',
    logger: createLogger('ingestion-bench', process.env.LOG_LEVEL ?? 'warn'),
    handleSignals: false,
  });
  process.stdout.write(`READY ${JSON.stringify({ url: primary.url, topic, workers })}\n`);
  process.on('SIGTERM', async () => {
    await primary.shutdown('SIGTERM');
    const kafka = new KafkaClient({
      brokers,
      clientId: 'ingestion-bench',
      logger: createLogger('ingestion-bench', 'warn'),
    });
    await kafka.deleteTopics([topic, `${topic}.quarantine`, `${topic}.plan-reports`]).catch(() => undefined);
    await kafka.disconnect();
    process.exit(0);
  });
} else {
  await serve();
}

async function serve() {
  const telemetry = startTelemetry({ serviceName: 'ingestion-bench' });
  const logger = createLogger('ingestion-bench', process.env.LOG_LEVEL ?? 'warn');
  const kafka = new KafkaClient({ brokers, clientId: 'ingestion-bench', logger });
  const configView = benchConfigView(writeKey, process.env.BENCH_SOURCE_ID);

  const link = cluster.isWorker
    ? new WorkerLink(Number(process.env.INGESTION_WORKER_SLOT ?? 0), { requestsPerSecond: 0, burst: 0 }, 100)
    : undefined;
  if (link) process.on('message', (message) => link.receive(message));
  const running = await startIngestion({
    kafka,
    configView,
    logger,
    meter: telemetry.meter,
    tracer: telemetry.tracer,
    settings: ingestionSettings({
      topic,
      quarantineTopic: `${topic}.quarantine`,
      planReports: { topic: `${topic}.plan-reports` },
      publish: {
        ...(process.env.PUBLISH_LINGER_MS ? { lingerMs: Number(process.env.PUBLISH_LINGER_MS) } : {}),
        ...(process.env.PUBLISH_MAX_CONCURRENT_SENDS
          ? { maxConcurrentSends: Number(process.env.PUBLISH_MAX_CONCURRENT_SENDS) }
          : {}),
      },
    }),
    port: 0,
    host: '127.0.0.1',
    partitions: Number(process.env.BENCH_PARTITIONS ?? 6),
    replicationFactor: 1,
    ...(link ? { shared: link } : {}),
  });
  if (link) {
    // The bench's workers have no admin server: the primary only needs their URL.
    process.send?.({ kind: 'ready', url: running.url, adminPort: 0 });
  } else {
    process.stdout.write(`READY ${JSON.stringify({ url: running.url, topic })}\n`);
  }

  process.on('SIGTERM', async () => {
    await running.close();
    link?.close();
    if (!link) await kafka.deleteTopics([topic, `${topic}.quarantine`, `${topic}.plan-reports`]).catch(() => undefined);
    await kafka.disconnect();
    await telemetry.shutdown();
    process.exit(0);
  });
}
