// @ts-check
// `pnpm bench:ingest`: single-event requests and 100-event batches against the ingestion
// service, and the same single-event load against a bare node:http server that only parses
// JSON, in one run on one machine. Prints events/s, p50/p99 latency, peak RSS and the ratio.
//
//   KAFKA_BROKERS   Kafka of the stack (default 127.0.0.1:9092)
//   DURATION        seconds per scenario (default 10); CONNECTIONS concurrent clients (default 100)
//   INGEST_URL      target an ingestion that is already running instead of starting one
//                   (then WRITE_KEY names a source of it, and INGEST_PID lets RSS be read)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const require = createRequire(import.meta.url);
const { startChild, stopChild, pidCpuSeconds } = require('@manifold/testing');
const here = dirname(fileURLToPath(import.meta.url));
const duration = Number(process.env.DURATION ?? 10);
const connections = Number(process.env.CONNECTIONS ?? 100);
const batchConnections = Number(process.env.BATCH_CONNECTIONS ?? 10);

/** CPU seconds (user + system) a process has used so far; NaN without a pid. */
function cpuSeconds(pid) {
  return pid ? pidCpuSeconds(pid) : NaN;
}

/** Peak resident memory (VmHWM) of a process, in MB. */
function peakRssMb(pid) {
  if (!pid) return NaN;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
  return kb / 1024;
}

function track(i) {
  return {
    type: 'track',
    userId: `user-${i % 1000}`,
    event: 'Product Viewed',
    properties: { product_id: `p-${i}`, price: 19.99, currency: 'USD', category: 'Games' },
    context: { library: { name: 'bench', version: '1.0.0' }, locale: 'en-US', userAgent: 'bench/1.0' },
    timestamp: new Date().toISOString(),
  };
}

async function load(name, url, body, conns, eventsPerRequest, headers, pid) {
  const cpuBefore = cpuSeconds(pid);
  const result = await autocannon({
    url,
    method: 'POST',
    connections: conns,
    duration,
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const cpu = cpuSeconds(pid) - cpuBefore;
  const ok = result['2xx'];
  const seconds = result.duration;
  return {
    name,
    'requests/s': Math.round(ok / seconds),
    'events/s': Math.round((ok * eventsPerRequest) / seconds),
    'p50 ms': result.latency.p50,
    'p99 ms': result.latency.p99,
    'non-2xx': result.non2xx,
    errors: result.errors + result.timeouts,
    // What the server process spent per event, whatever else the machine was doing.
    'server CPU µs/event': Number.isNaN(cpu) ? 'n/a' : Math.round((cpu * 1e6) / Math.max(1, ok * eventsPerRequest)),
  };
}

async function warmUp(url, body, headers) {
  await autocannon({
    url,
    method: 'POST',
    connections: 10,
    duration: 2,
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

const single = JSON.stringify(track(1));
const writeKey = process.env.WRITE_KEY ?? 'bench-write-key';
const auth = { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` };
const batch = JSON.stringify({
  batch: Array.from({ length: 100 }, (_, i) => track(i)),
  sentAt: new Date().toISOString(),
});

const bare = await startChild(join(here, 'bare-server.mjs'));
let ingestion;
let ingestionUrl = process.env.INGEST_URL;
let ingestionPid = process.env.INGEST_PID ? Number(process.env.INGEST_PID) : undefined;
if (!ingestionUrl) {
  // The same V8 flags as the service's start script (package.json): a small young generation
  // keeps the resident set under its budget at the same CPU cost.
  ingestion = await startChild(join(here, 'serve-ingestion.mjs'), {
    env: { BENCH_WRITE_KEY: writeKey },
    nodeFlags: ['--max-semi-space-size=4'],
  });
  ingestionUrl = ingestion.info.url;
  ingestionPid = ingestion.child.pid;
}

try {
  process.stderr.write(`bench: ${duration}s per scenario, ${connections} connections (batches: ${batchConnections})\n`);
  await warmUp(bare.info.url, single, {});
  const bareResult = await load(
    'bare node:http, 1 event/request',
    bare.info.url,
    single,
    connections,
    1,
    {},
    bare.child.pid,
  );
  await warmUp(`${ingestionUrl}/v1/track`, single, auth);
  const singleResult = await load(
    'ingestion /v1/track, 1 event/request',
    `${ingestionUrl}/v1/track`,
    single,
    connections,
    1,
    auth,
    ingestionPid,
  );
  const batchResult = await load(
    'ingestion /v1/batch, 100 events/request',
    `${ingestionUrl}/v1/batch`,
    batch,
    batchConnections,
    100,
    auth,
    ingestionPid,
  );

  // Diagnostic: the same HTTP path with a Kafka sender that acknowledges at once.
  const withoutKafka = await startChild(join(here, 'serve-without-kafka.mjs'), {
    env: { BENCH_WRITE_KEY: writeKey },
    nodeFlags: ['--max-semi-space-size=4'],
  });
  let diagnostic;
  try {
    await warmUp(`${withoutKafka.info.url}/v1/track`, single, auth);
    diagnostic = await load(
      'diagnostic: /v1/track with Kafka acking at once',
      `${withoutKafka.info.url}/v1/track`,
      single,
      connections,
      1,
      auth,
      withoutKafka.child.pid,
    );
    diagnostic['peak RSS MB'] = Math.round(peakRssMb(withoutKafka.child.pid));
  } finally {
    await stopChild(withoutKafka.child);
  }

  const rows = [bareResult, singleResult, batchResult];
  rows[0]['peak RSS MB'] = Math.round(peakRssMb(bare.child.pid));
  rows[1]['peak RSS MB'] = rows[2]['peak RSS MB'] = Math.round(peakRssMb(ingestionPid));
  console.table([...rows, diagnostic]);
  const ratio = singleResult['events/s'] / bareResult['events/s'];
  console.log(`single-event throughput ratio, ingestion / bare server: ${ratio.toFixed(2)} (target >= 0.60)`);
  console.log(`batch throughput: ${batchResult['events/s']} events/s (target >= 100,000)`);
  console.log(`ingestion peak RSS: ${rows[1]['peak RSS MB']} MB (target < 200 MB)`);
} finally {
  await stopChild(ingestion?.child);
  await stopChild(bare.child);
}
