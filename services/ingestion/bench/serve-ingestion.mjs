// @ts-check
// The ingestion service as `pnpm bench:ingest` runs it: the built package (run `pnpm build`
// first) with a real Kafka producer and telemetry, and an in-memory config holding one source.
// Prints `READY {"url": ...}` once listening; SIGTERM drains and deletes the benchmark topic.
// bench:translate runs it too, as the front door of its end-to-end phase.
//   BENCH_TOPIC, BENCH_WRITE_KEY, BENCH_SOURCE_ID, BENCH_PARTITIONS, PUBLISH_LINGER_MS, PUBLISH_MAX_CONCURRENT_SENDS
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { startIngestion, ingestionSettings } = require('../dist/index.js');
const { InMemoryConfigView } = require('@manifold/config-client');
const { KafkaClient } = require('@manifold/kafka');
const { createLogger } = require('@manifold/logger');
const { startTelemetry } = require('@manifold/telemetry');

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const writeKey = process.env.BENCH_WRITE_KEY ?? 'bench-write-key';
const topic = process.env.BENCH_TOPIC ?? `manifold.bench.${Date.now().toString(36)}`;

const telemetry = startTelemetry({ serviceName: 'ingestion-bench' });
const logger = createLogger('ingestion-bench', process.env.LOG_LEVEL ?? 'warn');
const kafka = new KafkaClient({ brokers, clientId: 'ingestion-bench', logger });
const configView = new InMemoryConfigView({
  version: 1,
  sources: [
    {
      id: process.env.BENCH_SOURCE_ID ?? 'src-bench',
      workspaceId: 'ws-bench',
      workspaceSlug: 'bench',
      slug: 'bench',
      name: 'Bench',
      enabled: true,
      writeKeys: [writeKey],
      type: 'http',
    },
  ],
  destinations: [],
  warehouses: [],
});

const running = await startIngestion({
  kafka,
  configView,
  logger,
  meter: telemetry.meter,
  tracer: telemetry.tracer,
  settings: ingestionSettings({
    topic,
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
});
process.stdout.write(`READY ${JSON.stringify({ url: running.url, topic })}\n`);

process.on('SIGTERM', async () => {
  await running.close();
  await kafka.deleteTopics([topic]).catch(() => undefined);
  await kafka.disconnect();
  await telemetry.shutdown();
  process.exit(0);
});
