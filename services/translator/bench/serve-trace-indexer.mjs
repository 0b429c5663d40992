// @ts-check
// The control plane's part of the per-event trace, alone in its process, as the benchmark runs
// it beside a translator writing traces: the consumer of the trace index topic and the index it
// keeps in FerretDB (the built control-plane package). Its CPU counts in the trace's cost.
//   BENCH_NAMESPACE (set by the bench)
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { startTraceIndexConsumer } = require('../../control-plane/dist/operations/trace/trace-index-consumer.js');
const { TraceIndex } = require('../../control-plane/dist/operations/trace/trace-index.js');
const { KafkaClient } = require('@manifold/kafka');
const { KafkaNames } = require('@manifold/events');
const { connectMongo } = require('@manifold/mongo');
const { createLogger } = require('@manifold/logger');

const namespace = process.env.BENCH_NAMESPACE ?? '';
const logger = createLogger('trace-indexer-bench', process.env.LOG_LEVEL ?? 'warn');
const kafka = new KafkaClient({
  brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  clientId: 'trace-indexer-bench',
  logger,
});
const mongo = await connectMongo({
  url: process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/',
  database: `${namespace.replace(/[^a-z0-9]/gi, '')}ix`,
  appName: 'trace-indexer-bench',
  logger,
});
const index = new TraceIndex(mongo.db);
await index.ensureIndexes();
const consumer = await startTraceIndexConsumer({
  kafka,
  names: new KafkaNames(namespace),
  index,
  retentionMs: 7 * 86_400_000,
  logger,
});
process.stdout.write(`READY ${JSON.stringify({ pid: process.pid })}\n`);

process.on('SIGTERM', async () => {
  await consumer.stop();
  await mongo.db.dropDatabase().catch(() => undefined);
  await mongo.close();
  await kafka.disconnect();
  process.exit(0);
});
