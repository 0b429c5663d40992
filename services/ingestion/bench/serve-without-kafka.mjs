// @ts-check
// A diagnostic for `pnpm bench:ingest`: the same ingestion app, but its Kafka sender acknowledges
// every send at once. It shows what the HTTP path costs on its own; it is no result to quote.
// Prints `READY {"url": ...}` once listening.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { benchConfigView } from './bench-config-view.mjs';

const require = createRequire(import.meta.url);
// Before anything else loads, as the service's entry point does.
require('../dist/limit-heap-growth-first.js');
const { createIngestionApp, ingestionSettings } = require('../dist/index.js');
const { createLogger } = require('@manifold/logger');
const { startTelemetry } = require('@manifold/telemetry');

const writeKey = process.env.BENCH_WRITE_KEY ?? 'bench-write-key';
const telemetry = startTelemetry({ serviceName: 'ingestion-bench-without-kafka' });
const app = createIngestionApp({
  configView: benchConfigView(writeKey),
  producer: { send: async () => undefined },
  logger: createLogger('ingestion-bench', process.env.LOG_LEVEL ?? 'warn'),
  meter: telemetry.meter,
  tracer: telemetry.tracer,
  settings: ingestionSettings({ topic: 'unused' }),
});
const server = createServer({ keepAliveTimeout: 65000 }, app.handler);
server.listen(0, '127.0.0.1', () => {
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.stdout.write(`READY ${JSON.stringify({ url: `http://127.0.0.1:${address.port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
