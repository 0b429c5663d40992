// @ts-check
// `pnpm bench:translate` (run `pnpm build` first): the translator's throughput and latency on
// this machine, each figure printed.
//
//  1. Throughput, in ROUNDS rounds of 1 then 2 (so a change in the shared machine's speed during
//     one phase weighs less; the rates are each phase's events over its time, all rounds added):
//     EVENTS events are put on a fresh events topic, then one translator process
//     (the built package, in its own process, real Kafka and FerretDB) delivers them to the
//     emulator of BENCH_DESTINATION (webhook by default; iterable and keen too, batched as their
//     settings batch by default: bench-destinations.mjs) in another process: events/s from its WARMUP-th to its last delivery. Twice per
//     round, with the per-event trace off and on (in turns: off first in odd rounds, on first in
//     even ones); with it on, the control plane's trace indexer runs too (its own process).
//  2. In the same run, the same events already translated (the destination's requests, batched
//     as the translator batches them, computed up front) are posted straight to the same emulator with undici at the translator's per-instance
//     concurrency: events/s after the first WARMUP. The ratio 1/2 is the translator's cost
//     (target ≥ 0.5). The emulator serves WARMUP requests before each, so both meet it warm.
//  3. End to end: RATE events/s for SECONDS through a real ingestion process (Tracking API, 10
//     events per /v1/batch request) → Kafka → a translator process → the emulator; latency from
//     ingestion's receivedAt to the emulator's receipt (iterable and keen: from the client's post,
//     a `bench_sent_ms` property, as their requests carry no receivedAt), p50/p95/p99 (target p99 < 1 s).
//
//  Both throughput figures come with the CPU each process spent per event meanwhile (read from
//  /proc, on Linux): with every core busy in both phases, the ratio is about the direct phase's
//  CPU per event over the translator phase's, which shows what the ratio can be on this machine.
//
//   BENCH_DESTINATION (webhook, iterable, keen), TRACE_REQUEST_BODIES (failures: the trace's default; all: every request body traced),
//   KAFKA_BROKERS (127.0.0.1:9092), MONGO_URL (mongodb://127.0.0.1:27017/), EVENTS (30000),
//   ROUNDS (2), CONCURRENCY (20), WARMUP (2000), RATE (1000), SECONDS (10), BENCH_VERBOSE=1 to see the children's logs,
//   BENCH_TRANSLATOR_FLAGS (Node flags of the measured translators, e.g. `--trace-gc`).
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const { startChild, stopChild, processCpuSeconds, pidCpuSeconds } = require('@manifold/testing');
const { KafkaClient } = require('@manifold/kafka');
const { encodeEventMessage } = require('@manifold/events');
const { batchSize, buildRequests, parseSettings, prepareEvent } = require('@manifold/destination-kit');
const { destinationById } = require('@manifold/destinations');
const { createLogger } = require('@manifold/logger');

const EVENTS = Number(process.env.EVENTS ?? 30000);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 20);
/** Events each throughput figure leaves out at its start (see below). */
const WARMUP = Number(process.env.WARMUP ?? 2000);
const RATE = Number(process.env.RATE ?? 1000);
const SECONDS = Number(process.env.SECONDS ?? 10);
const SOURCE_ID = 'src-bench';
const WRITE_KEY = 'bench-write-key-0123456789';
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const namespace = `bench-${Date.now().toString(36)}.`;
const VERBOSE = Boolean(process.env.BENCH_VERBOSE);
const DESTINATION = process.env.BENCH_DESTINATION ?? 'webhook';
/** Node flags for the measured translator processes only (e.g. `--trace-gc`, seen with BENCH_VERBOSE=1). */
const TRANSLATOR_FLAGS = (process.env.BENCH_TRANSLATOR_FLAGS ?? '').split(' ').filter(Boolean);

const logger = createLogger('translate-bench', process.env.LOG_LEVEL ?? 'warn');
const kafka = new KafkaClient({ brokers, clientId: 'translate-bench', logger });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** @param {number} n @param {number} round */
function event(n, round) {
  const now = new Date().toISOString();
  return {
    type: 'track',
    event: 'Product Viewed',
    messageId: `${namespace}r${round}.${n}`,
    userId: `user-${n % 5000}`,
    anonymousId: `anon-${n % 5000}`,
    properties: {
      product_id: `p-${n}`,
      price: 19.99,
      currency: 'USD',
      category: 'Games',
      name: 'Monopoly',
    },
    context: {
      library: { name: 'bench', version: '1.0.0' },
      ip: '203.0.113.7',
      locale: 'en-US',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36',
    },
    integrations: {},
    timestamp: now,
    originalTimestamp: now,
    sentAt: now,
    receivedAt: now,
  };
}

/** @param {string} statsUrl */
async function emulatorStats(statsUrl, latency = false, skip = 0) {
  const response = await request(`${statsUrl}/stats?latency=${latency ? 1 : 0}&skip=${skip}`);
  return /** @type {any} */ (await response.body.json());
}

/**
 * The processes of a phase: the bench's own children by pid (another bench running on the same
 * machine must not count), the shared broker and database by command line; `bench` is this
 * process (the direct poster).
 */
const PROCESSES = {
  ferretdb: /ferretdb-runner/,
  kafka: /\bkafka\.Kafka\b/,
};
/** Pids of the children measured now. @type {Record<string, number | undefined>} */
const measuredPids = { translator: undefined, indexer: undefined, emulator: undefined };

/** CPU seconds one child has used so far; NaN once it has exited. @param {number} pid */
function cpuOf(pid) {
  try {
    return pidCpuSeconds(pid);
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds used so far by each of the children, PROCESSES and this process. */
function cpuMark() {
  /** @type {Record<string, number>} */
  const mark = {};
  for (const [name, pid] of Object.entries(measuredPids)) mark[name] = pid === undefined ? Number.NaN : cpuOf(pid);
  for (const [name, pattern] of Object.entries(PROCESSES)) mark[name] = processCpuSeconds(pattern) ?? Number.NaN;
  const self = process.cpuUsage();
  mark.bench = (self.user + self.system) / 1e6;
  return mark;
}

/**
 * µs of CPU per event of each process between two marks, and their sum, for those that worked.
 * @param {Record<string, number>} from @param {Record<string, number>} to @param {number} events @param {string[]} names
 */
function cpuPerEvent(from, to, events, names) {
  return describeCpu(cpuMicros(from, to, events, names));
}

/** µs of CPU per event of each process named, between two marks. */
function cpuMicros(from, to, events, names) {
  return Object.fromEntries(names.map((name) => [name, ((to[name] - from[name]) * 1e6) / events]));
}

/** @param {Record<string, number>} micros */
function describeCpu(micros) {
  const total = Object.values(micros).reduce((sum, us) => sum + us, 0);
  const show = (/** @type {number} */ us) => (Number.isNaN(us) ? 'n/a' : us.toFixed(0));
  return `${Object.entries(micros)
    .map(([name, us]) => `${name} ${show(us)}`)
    .join(', ')}; total ${show(total)} µs`;
}

/** @param {number[]} values */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Polls the emulator until `count` events have arrived. Marks the CPU once the first `skip` of
 * them have (`warm`) and at the end, for the phase's CPU per event.
 * @param {string} statsUrl @param {number} count @param {number} timeoutMs
 */
async function waitForEvents(statsUrl, count, timeoutMs, skip = 0) {
  const deadline = Date.now() + timeoutMs;
  /** @type {{ cpu: Record<string, number>, events: number } | undefined} */
  let warm;
  for (;;) {
    const stats = await emulatorStats(statsUrl, false, skip);
    if (!warm && stats.events >= skip) warm = { cpu: cpuMark(), events: stats.events };
    if (stats.events >= count) return { stats, warm, end: { cpu: cpuMark(), events: stats.events } };
    if (Date.now() > deadline) throw new Error(`only ${stats.events} of ${count} events arrived`);
    await sleep(warm ? 200 : 20);
  }
}

/** @param {string} statsUrl */
async function resetEmulator(statsUrl) {
  await (await request(`${statsUrl}/reset`, { method: 'POST' })).body.text();
}

const children = [];
try {
  const emulator = await startChild(join(here, 'serve-emulator.mjs'), {
    env: { BENCH_DESTINATION: DESTINATION },
    echo: VERBOSE,
  });
  children.push(emulator.child);
  measuredPids.emulator = emulator.child.pid;
  const destinationSettings = JSON.stringify(emulator.info.settings);
  const stats = emulator.info.stats;

  const destination = destinationById(DESTINATION);
  const settings = parseSettings(destination, emulator.info.settings);
  if (!settings.ok) throw new Error(settings.outcome.message);
  /**
   * The requests of `events`, batched as the translator batches a steady stream: consecutive
   * events of one action and batch key, up to the action's batch size.
   * @param {object[]} events
   */
  const requestsOf = (events) => {
    const requests = [];
    /** @type {{ key: string, action: string, payloads: object[] } | undefined} */
    let open;
    const flush = () => {
      if (open) requests.push(...buildRequests(destination, open.action, open.payloads, settings.settings));
      open = undefined;
    };
    for (const event of events) {
      const prepared = prepareEvent(destination, event, settings.settings);
      if (prepared.kind !== 'prepared') throw new Error(`${DESTINATION} did not take a bench event: ${prepared.kind}`);
      const key = `${prepared.action}\u0000${prepared.batchKey ?? ''}`;
      if (open && open.key !== key) flush();
      open ??= { key, action: prepared.action, payloads: [] };
      open.payloads.push(prepared.payload);
      if (
        prepared.batchKey === undefined ||
        open.payloads.length >= batchSize(destination, prepared.action, settings.settings)
      )
        flush();
    }
    flush();
    return requests;
  };
  const agent = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 30_000 });
  /**
   * Posts `list` with CONCURRENCY workers.
   * @param {Array<{ url: string, method: string, headers: Record<string, string>, body?: string }>} list
   */
  const postAll = (list) => {
    let next = 0;
    return Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < list.length) {
          const descriptor = list[next++];
          const response = await request(descriptor.url, {
            dispatcher: agent,
            method: /** @type {any} */ (descriptor.method),
            headers: descriptor.headers,
            body: descriptor.body,
          });
          await response.body.text();
          if (response.statusCode < 200 || response.statusCode > 299) {
            throw new Error(`direct post answered ${response.statusCode}`);
          }
        }
      }),
    );
  };

  /**
   * One translator process delivers a fresh topic of EVENTS events: events and seconds after its
   * first WARMUP deliveries, and the CPU per event meanwhile.
   * @param {number} round @param {object[]} events
   */
  const throughTranslator = async (round, events, trace) => {
    await resetEmulator(stats);
    const phase = `${round}${trace ? 't' : 'n'}`;
    const eventsTopic = `${namespace}events.${phase}`;
    await kafka.ensureTopics([{ topic: eventsTopic, partitions: 6, config: { 'max.message.bytes': String(8 << 20) } }]);
    const producer = await kafka.producer();
    for (let i = 0; i < events.length; i += 1000) {
      await producer.send(
        eventsTopic,
        events.slice(i, i + 1000).map((e) => encodeEventMessage(e, { sourceId: SOURCE_ID, workspaceId: 'ws-bench' })),
      );
    }
    await producer.disconnect();
    const phaseNamespace = `${namespace}${phase}.`;
    const indexer = trace
      ? await startChild(join(here, 'serve-trace-indexer.mjs'), {
          env: { BENCH_NAMESPACE: phaseNamespace },
          echo: VERBOSE,
        })
      : undefined;
    if (indexer) children.push(indexer.child);
    measuredPids.indexer = indexer?.child.pid;
    const translator = await startChild(join(here, 'serve-translator.mjs'), {
      nodeFlags: TRANSLATOR_FLAGS,
      env: {
        BENCH_NAMESPACE: phaseNamespace,
        BENCH_EVENTS_TOPIC: eventsTopic,
        BENCH_DESTINATION: DESTINATION,
        BENCH_SETTINGS: destinationSettings,
        BENCH_SOURCE_ID: SOURCE_ID,
        INSTANCE_CONCURRENCY: String(CONCURRENCY),
        BENCH_TRACE: trace ? 'on' : 'off',
        BENCH_TRACE_REQUEST_BODIES: process.env.TRACE_REQUEST_BODIES ?? 'failures',
      },
      echo: VERBOSE,
    });
    children.push(translator.child);
    measuredPids.translator = translator.child.pid;
    const measured = await waitForEvents(stats, EVENTS, 10 * 60_000, WARMUP);
    await stopChild(translator.child);
    if (indexer) await stopChild(indexer.child);
    const through = measured.stats;
    if (through.events !== EVENTS) throw new Error(`the emulator got ${through.events} events for ${EVENTS}`);
    const micros = measured.warm
      ? cpuMicros(measured.warm.cpu, measured.end.cpu, measured.end.events - measured.warm.events, [
          'translator',
          ...(trace ? ['indexer'] : []),
          'emulator',
          'ferretdb',
          'kafka',
        ])
      : undefined;
    const cpu = micros ? describeCpu(micros) : 'n/a';
    return { events: through.measured, seconds: (through.last - through.first) / 1000, cpu, micros };
  };

  /**
   * The same events, translated beforehand, posted straight to the emulator (after WARMUP of them).
   * @param {object[]} events
   */
  const postedDirect = async (events) => {
    // Warmed up on the requests of the first WARMUP events, measured on those of the rest.
    const warmRequests = requestsOf(events.slice(0, WARMUP));
    const requests = requestsOf(events.slice(WARMUP));
    await resetEmulator(stats);
    await postAll(warmRequests);
    await resetEmulator(stats);
    const start = cpuMark();
    const started = performance.now();
    // Polled as often as while the translator delivered: both phases cost the emulator the same.
    let posting = true;
    const polling = (async () => {
      while (posting) {
        await emulatorStats(stats, false, 0);
        await sleep(200);
      }
    })();
    await postAll(requests).finally(() => (posting = false));
    await polling;
    const seconds = (performance.now() - started) / 1000;
    const posted = events.length - WARMUP;
    return { events: posted, seconds, cpu: cpuPerEvent(start, cpuMark(), posted, ['bench', 'emulator']) };
  };

  // Both measurements start warm: the emulator has served WARMUP requests before either, and each
  // rate leaves out its own first WARMUP events (the translator's JIT, connections and first
  // fetches; the direct poster's connections and JIT).
  const rounds = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const events = Array.from({ length: EVENTS }, (_, n) => event(n, round));
    /** @type {any} */
    let untraced;
    /** @type {any} */
    let translated;
    // In turns, so neither always meets the machine first.
    if (round % 2 === 1) {
      untraced = await throughTranslator(round, events, false);
      translated = await throughTranslator(round, events, true);
    } else {
      translated = await throughTranslator(round, events, true);
      untraced = await throughTranslator(round, events, false);
    }
    const direct = await postedDirect(events);
    rounds.push({ translated, untraced, direct });
  }
  await agent.close();
  const perSecond = (/** @type {Array<{ events: number, seconds: number }>} */ phases) =>
    phases.reduce((sum, p) => sum + p.events, 0) / phases.reduce((sum, p) => sum + p.seconds, 0);
  const translatedPerSecond = perSecond(rounds.map((r) => r.translated));
  const untracedPerSecond = perSecond(rounds.map((r) => r.untraced));
  const directPerSecond = perSecond(rounds.map((r) => r.direct));

  // 3. End to end at RATE events/s.
  await resetEmulator(stats);
  const e2eTopic = `${namespace}e2e-events`;
  const ingestion = await startChild(join(here, '../../ingestion/bench/serve-ingestion.mjs'), {
    env: { BENCH_TOPIC: e2eTopic, BENCH_SOURCE_ID: SOURCE_ID, BENCH_WRITE_KEY: WRITE_KEY },
    echo: VERBOSE,
  });
  children.push(ingestion.child);
  const e2eTranslator = await startChild(join(here, 'serve-translator.mjs'), {
    env: {
      BENCH_NAMESPACE: `${namespace}e2e.`,
      BENCH_EVENTS_TOPIC: e2eTopic,
      BENCH_DESTINATION: DESTINATION,
      BENCH_SETTINGS: destinationSettings,
      BENCH_SOURCE_ID: SOURCE_ID,
      INSTANCE_CONCURRENCY: String(CONCURRENCY),
    },
    echo: VERBOSE,
  });
  children.push(e2eTranslator.child);
  const authorization = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;
  const client = new Agent({ connections: 20, keepAliveTimeout: 30_000 });
  /** @param {object[]} batch */
  const post = async (batch) => {
    const response = await request(`${ingestion.info.url}/v1/batch`, {
      dispatcher: client,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ batch }),
    });
    await response.body.text();
    if (response.statusCode !== 200) throw new Error(`ingestion answered ${response.statusCode}`);
  };
  // Warm-up: the translator's consumer group joins, connections open.
  await post([{ type: 'track', userId: 'warm', event: 'Warm Up', properties: { bench_sent_ms: Date.now() } }]);
  await waitForEvents(stats, 1, 60_000);
  await resetEmulator(stats);

  const perRequest = 10;
  const total = RATE * SECONDS;
  const loadStarted = Date.now();
  const posts = [];
  for (let sent = 0; sent < total; sent += perRequest) {
    const wait = loadStarted + (sent / RATE) * 1000 - Date.now();
    if (wait > 0) await sleep(wait);
    posts.push(
      post(
        Array.from({ length: perRequest }, (_, i) => ({
          type: 'track',
          userId: `user-${(sent + i) % 5000}`,
          event: 'Product Viewed',
          properties: { product_id: `p-${sent + i}`, price: 19.99, currency: 'USD', bench_sent_ms: Date.now() },
        })),
      ),
    );
  }
  await Promise.all(posts);
  const offeredSeconds = (Date.now() - loadStarted) / 1000;
  const e2e = (await waitForEvents(stats, total, 120_000)).stats;
  const { latency } = await emulatorStats(stats, true);
  await client.close();

  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  const ratio = translatedPerSecond / directPerSecond;
  console.log(
    `translator benchmark (${ROUNDS} rounds of ${EVENTS} events, ${DESTINATION} emulator, ${CONCURRENCY} requests in flight; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')})`,
  );
  rounds.forEach(({ translated, untraced, direct }, i) => {
    const rate = (/** @type {{ events: number, seconds: number }} */ p) => fmt(p.events / p.seconds);
    console.log(
      `  round ${i + 1}: translator ${rate(translated)} events/s (trace off: ${rate(untraced)}), direct ${rate(direct)} events/s; CPU per event: ` +
        `through the translator ${translated.cpu}; trace off ${untraced.cpu}; posted direct (bench = the poster) ${direct.cpu}`,
    );
  });
  const traceCost = 1 - translatedPerSecond / untracedPerSecond;
  console.log(`  through one translator process : ${fmt(translatedPerSecond)} events/s`);
  console.log(`  the same without the trace      : ${fmt(untracedPerSecond)} events/s`);
  console.log(
    `  throughput the trace costs     : ${(traceCost * 100).toFixed(1)} % (target < 10 %) ${traceCost < 0.1 ? 'OK' : 'MISSED'}`,
  );
  // The same cost as CPU: what the trace adds to the bench's own processes per event (the
  // translator, and the indexer it needs), which a machine shared with other work measures far
  // more steadily than throughput (FerretDB and the broker are left out: others use them too).
  const traceCpu = rounds
    .filter((r) => r.translated.micros && r.untraced.micros)
    .map((r) => ({
      translator: r.translated.micros.translator - r.untraced.micros.translator,
      indexer: r.translated.micros.indexer,
      base: r.untraced.micros.translator + r.untraced.micros.emulator,
    }));
  if (traceCpu.length > 0) {
    const added = traceCpu.map((c) => c.translator + c.indexer);
    const range = (/** @type {number[]} */ v) => `${Math.min(...v).toFixed(0)} to ${Math.max(...v).toFixed(0)}`;
    console.log(
      `  CPU the trace adds per event   : median ${median(added).toFixed(0)} µs (rounds: ${range(added)}): ` +
        `the translator ${median(traceCpu.map((c) => c.translator)).toFixed(0)}, the indexer ${median(traceCpu.map((c) => c.indexer)).toFixed(0)}; ` +
        `without the trace the translator and the emulator take ${median(traceCpu.map((c) => c.base)).toFixed(0)} µs`,
    );
  }
  console.log(`  translated requests posted direct: ${fmt(directPerSecond)} events/s`);
  console.log(
    `  ratio                          : ${ratio.toFixed(2)} (target >= 0.5) ${ratio >= 0.5 ? 'OK' : 'MISSED'}`,
  );
  console.log(
    `end to end at ${RATE} events/s for ${SECONDS} s (offered in ${offeredSeconds.toFixed(1)} s), ingestion -> emulator, ${e2e.events} events:`,
  );
  console.log(
    `  latency p50 ${fmt(latency.p50)} ms, p95 ${fmt(latency.p95)} ms, p99 ${fmt(latency.p99)} ms, max ${fmt(latency.max)} ms` +
      ` (target p99 < 1000 ms) ${latency.p99 < 1000 ? 'OK' : 'MISSED'}`,
  );
} finally {
  const step = (what) => VERBOSE && process.stderr.write(`[bench] ${new Date().toISOString()} ${what}\n`);
  for (const child of children.reverse()) {
    step(`stopping ${child.pid}`);
    await stopChild(child);
  }
  step('deleting topics');
  const topics = (await kafka.listTopics().catch(() => [])).filter((t) => t.startsWith(namespace));
  if (topics.length > 0) await kafka.deleteTopics(topics).catch(() => undefined);
  step('disconnecting');
  await kafka.disconnect();
  step('done');
}
// Connections the libraries keep alive (idle sockets) must not hold the process.
process.exit(process.exitCode ?? 0);
