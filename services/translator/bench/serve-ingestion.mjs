// @ts-check
// The ingestion service (built) as the benchmark's front door: one source, publishing to
// BENCH_EVENTS_TOPIC. Prints `READY {"url": ...}` once listening.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { startIngestion, ingestionSettings } = require('@manifold/ingestion');
const { InMemoryConfigView } = require('@manifold/config-client');
const { KafkaClient } = require('@manifold/kafka');
const { createLogger } = require('@manifold/logger');
const { startTelemetry } = require('@manifold/telemetry');

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const topic = /** @type {string} */ (process.env.BENCH_EVENTS_TOPIC);
const telemetry = startTelemetry({ serviceName: 'ingestion-for-translator-bench' });
const logger = createLogger('ingestion-bench', process.env.LOG_LEVEL ?? 'warn');
const kafka = new KafkaClient({ brokers, clientId: 'ingestion-for-translator-bench', logger });
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
      writeKeys: [process.env.BENCH_WRITE_KEY ?? 'bench-write-key-0123456789'],
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
  settings: ingestionSettings({ topic }),
  port: 0,
  host: '127.0.0.1',
  partitions: Number(process.env.BENCH_PARTITIONS ?? 6),
  replicationFactor: 1,
});
process.stdout.write(`READY ${JSON.stringify({ url: running.url })}\n`);

process.on('SIGTERM', async () => {
  await running.close();
  await kafka.disconnect();
  await telemetry.shutdown();
  process.exit(0);
});
