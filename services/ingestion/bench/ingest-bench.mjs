// @ts-check
// `pnpm bench:ingest`: single-event requests and 100-event batches against the ingestion
// service at several concurrencies, the same single-event load against a bare node:http server
// that only parses JSON, and a run in workers mode, in one run on one machine. Prints events/s,
// p50/p99 latency, the server's CPU µs per event and its RSS for each, and the ratio.
//
//   KAFKA_BROKERS      Kafka of the stack (default 127.0.0.1:9092)
//   DURATION           seconds per scenario (default 10)
//   CONNECTIONS        concurrent clients for single events, a list (default 50,100,200,400)
//   BATCH_CONNECTIONS  concurrent clients for batches (default 10,40)
//   WORKERS            the workers of the workers-mode run (default 2; 0 skips it)
//   BARE               0 skips the bare server and the diagnostic
//   INGEST_NODE_FLAGS  node flags of the ingestion and the diagnostic (default those of its start script)
//   RATE, BATCH_RATE   requests/s offered in all (autocannon's overallRate) for single events and
//                      for batches instead of as many as answered: on a busy machine, CPU per event
//                      then compares between runs at the same load, whatever share of the cores the
//                      server gets (its figures are not saturation's)
//   ROUNDS             the single-event levels run this many times in turn against the same process
//                      (default 1); with more than one, a closing summary pairs each round's levels
//                      with the first level's: the judgement "no more CPU per event at 400
//                      connections than at 100" rests on pairs taken minutes apart, not on one run
//   INGEST_URL         target an ingestion that is already running instead of starting one
//                      (then WRITE_KEY names a source of it, and INGEST_PID lets CPU and RSS be read)
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const require = createRequire(import.meta.url);
const { startChild, stopChild, pidCpuSeconds } = require('@manifold/testing');
const here = dirname(fileURLToPath(import.meta.url));
const duration = Number(process.env.DURATION ?? 10);
const list = (value, fallback) =>
  (value ?? fallback)
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
const connectionLevels = list(process.env.CONNECTIONS, '50,100,200,400');
const batchLevels = list(process.env.BATCH_CONNECTIONS, '10,40');
const workers = Number(process.env.WORKERS ?? 2);
const withBare = process.env.BARE !== '0';
const singleRate = Number(process.env.RATE ?? 0);
const batchRate = Number(process.env.BATCH_RATE ?? 0);
const rounds = Math.max(1, Number(process.env.ROUNDS ?? 1));

/** A process and its children (the workers of workers mode). */
function family(pid) {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return [pid, ...children.split(/\s+/).filter(Boolean).map(Number)];
  } catch {
    return [pid];
  }
}

/** CPU seconds (user + system) a process and its children have used so far; NaN without a pid. */
function cpuSeconds(pid) {
  return pid ? family(pid).reduce((sum, p) => sum + pidCpuSeconds(p), 0) : NaN;
}

function statusMb(pid, field) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]) / 1024;
}

/** The largest peak resident memory (VmHWM) among a process and its children, in MB. */
function peakRssMb(pid) {
  if (!pid) return NaN;
  return Math.max(...family(pid).map((p) => statusMb(p, 'VmHWM')));
}

/** Starts the peak RSS of a process and its children over, so each scenario has its own. */
function resetPeakRss(pid) {
  for (const p of pid ? family(pid) : []) {
    try {
      writeFileSync(`/proc/${p}/clear_refs`, '5');
    } catch {
      // Not ours, or no /proc: the peak stays the process's.
    }
  }
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

async function load(name, url, body, conns, eventsPerRequest, headers, pid, rate = 0) {
  resetPeakRss(pid);
  const cpuBefore = cpuSeconds(pid);
  const result = await autocannon({
    url,
    method: 'POST',
    connections: conns,
    duration,
    headers: { 'content-type': 'application/json', ...headers },
    body,
    ...(rate > 0 ? { overallRate: rate } : {}),
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
    'cores used': Number.isNaN(cpu) ? 'n/a' : Number((cpu / seconds).toFixed(2)),
    // Per process: the largest worker's in workers mode.
    'peak RSS MB': pid ? Math.round(peakRssMb(pid)) : 'n/a',
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

/** The node flags of the service's start script (package.json): its young generation's size. */
const startFlags = /node((?: --[^ ]+)*) dist\/main\.js/
  .exec(JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8')).scripts.start)?.[1]
  ?.trim();
const ingestNodeFlags = (process.env.INGEST_NODE_FLAGS ?? startFlags ?? '').split(' ').filter(Boolean);

/** The service as bench:ingest runs it (the built package, real Kafka, telemetry on). */
function startIngestionChild(extraEnv = {}) {
  return startChild(join(here, 'serve-ingestion.mjs'), {
    env: { BENCH_WRITE_KEY: writeKey, ...extraEnv },
    nodeFlags: ingestNodeFlags,
  });
}

/** Each single-event measurement by target, round and level, for the paired summary. */
const perRound = [];

/** Single events at every level (ROUNDS times), then batches at every level, against one target. */
async function sweep(label, url, pid) {
  const rows = [];
  await warmUp(`${url}/v1/track`, single, auth);
  for (let round = 1; round <= rounds; round++) {
    const suffix = rounds > 1 ? ` (round ${round})` : '';
    for (const conns of connectionLevels) {
      const row = await load(
        `${label} /v1/track ×${conns}${suffix}`,
        `${url}/v1/track`,
        single,
        conns,
        1,
        auth,
        pid,
        singleRate,
      );
      rows.push(row);
      perRound.push({ label, round, conns, cpu: row['server CPU µs/event'] });
    }
  }
  for (const conns of batchLevels) {
    rows.push(
      await load(`${label} /v1/batch(100) ×${conns}`, `${url}/v1/batch`, batch, conns, 100, auth, pid, batchRate),
    );
  }
  return rows;
}

const rows = [];
process.stderr.write(
  `bench: node flags ${ingestNodeFlags.join(' ')}; ${duration}s per scenario; single events at ${connectionLevels.join(', ')} connections, ` +
    `batches at ${batchLevels.join(', ')}; workers mode with ${workers} workers\n`,
);

if (withBare) {
  const bare = await startChild(join(here, 'bare-server.mjs'));
  try {
    await warmUp(bare.info.url, single, {});
    for (const conns of connectionLevels) {
      rows.push(await load(`bare node:http ×${conns}`, bare.info.url, single, conns, 1, {}, bare.child.pid));
    }
  } finally {
    await stopChild(bare.child);
  }
}

if (process.env.INGEST_URL) {
  const pid = process.env.INGEST_PID ? Number(process.env.INGEST_PID) : undefined;
  rows.push(...(await sweep('ingestion', process.env.INGEST_URL, pid)));
} else {
  const ingestion = await startIngestionChild();
  try {
    rows.push(...(await sweep('ingestion', ingestion.info.url, ingestion.child.pid)));
  } finally {
    await stopChild(ingestion.child);
  }
  if (workers > 1) {
    const many = await startIngestionChild({ BENCH_WORKERS: String(workers) });
    try {
      rows.push(...(await sweep(`${workers} workers`, many.info.url, many.child.pid)));
    } finally {
      await stopChild(many.child);
    }
  }
}

if (withBare) {
  // Diagnostic: the same HTTP path with a Kafka sender that acknowledges at once.
  const withoutKafka = await startChild(join(here, 'serve-without-kafka.mjs'), {
    env: { BENCH_WRITE_KEY: writeKey },
    nodeFlags: ingestNodeFlags,
  });
  try {
    await warmUp(`${withoutKafka.info.url}/v1/track`, single, auth);
    const conns = connectionLevels.includes(100) ? 100 : connectionLevels[0];
    rows.push(
      await load(
        `diagnostic: /v1/track ×${conns}, Kafka acking at once`,
        `${withoutKafka.info.url}/v1/track`,
        single,
        conns,
        1,
        auth,
        withoutKafka.child.pid,
      ),
    );
  } finally {
    await stopChild(withoutKafka.child);
  }
}

console.table(rows);
if (rounds > 1) {
  // Per target: each level against the first in the same round (CPU µs per event).
  for (const label of new Set(perRound.map((r) => r.label))) {
    const [base, ...others] = connectionLevels;
    for (const conns of others) {
      const diffs = [];
      for (let round = 1; round <= rounds; round++) {
        const at = (level) => perRound.find((r) => r.label === label && r.round === round && r.conns === level)?.cpu;
        const [a, b] = [at(base), at(conns)];
        if (typeof a === 'number' && typeof b === 'number') diffs.push(b - a);
      }
      if (diffs.length === 0) continue;
      const sorted = [...diffs].sort((x, y) => x - y);
      const middle = sorted.length / 2;
      const median =
        sorted.length % 2 ? sorted[Math.floor(middle)] : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
      console.log(
        `${label}: ×${conns} against ×${base}, CPU µs per event, round by round: ${diffs.map((d) => (d > 0 ? `+${d}` : `${d}`)).join(', ')}; ` +
          `higher in ${diffs.filter((d) => d > 0).length} of ${diffs.length} rounds, median ${median > 0 ? '+' : ''}${median}`,
      );
    }
  }
}
const loadAverage = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`load average at the end: ${loadAverage} (the broker and the load generator share the machine)`);
