// @ts-check
// `node services/translator/bench/trace-writer-bench.mjs` (after `pnpm build`): the translator's
// CPU per event for the per-event trace alone, without Kafka: webhook events are translated and
// given a 200 answer as a delivery would, then (in the traced half) recorded by a TraceWriter
// whose Kafka sends are counted and dropped. The two halves alternate in ROUNDS rounds of EVENTS
// events; the trace's cost is the CPU difference per event (garbage collection included), and
// the bytes it would send. Run on a busy machine, compare medians of several rounds.
//   EVENTS (50000), ROUNDS (6), TRACE_REQUEST_BODIES (failures or all), SIGNED=1 (a shared
//   secret: every request has its own x-signature header)
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { TraceWriter } = require('../dist/trace/trace-writer.js');
const { traceEntry } = require('../dist/trace/trace-recorder.js');
const { parseSettings, translateEvent } = require('@manifold/destination-kit');
const { destinationById } = require('@manifold/destinations');
const { createLogger } = require('@manifold/logger');
const { startTelemetry } = require('@manifold/telemetry');

const EVENTS = Number(process.env.EVENTS ?? 50000);
const ROUNDS = Number(process.env.ROUNDS ?? 6);
const BODIES = process.env.TRACE_REQUEST_BODIES === 'all' ? 'all' : 'failures';

const webhook = destinationById('webhook');
const parsed = parseSettings(webhook, {
  url: 'https://hooks.example.com/segment?team=blue',
  ...(process.env.SIGNED ? { sharedSecret: 'bench-signing-secret-0123' } : {}),
  headers: { 'X-Team': 'blue' },
});
if (!parsed.ok) throw new Error(parsed.outcome.message);
const settings = parsed.settings;

let sentBytes = 0;
let sentRecords = 0;
let indexBytes = 0;
const producer = {
  /** @param {string} topic @param {Array<{ value: string | Buffer | null, partition?: number }>} messages */
  async send(topic, messages) {
    const baseOffset = String(sentRecords);
    for (const m of messages) {
      const bytes = m.value ? Buffer.byteLength(m.value) : 0;
      if (topic === 'traces') {
        sentBytes += bytes;
        sentRecords++;
      } else indexBytes += bytes;
    }
    return [{ topicName: topic, partition: messages[0]?.partition ?? 0, baseOffset }];
  },
};
const writer = new TraceWriter({
  producer,
  topic: 'traces',
  indexTopic: 'trace-index',
  partitions: 6,
  flushIntervalMs: 60_000,
  bodyChars: 4096,
  requestBodies: BODIES,
  logger: createLogger('trace-writer-bench', 'warn'),
  meter: startTelemetry({ serviceName: 'trace-writer-bench' }).meter,
});

/** @param {number} n */
function event(n) {
  const now = new Date().toISOString();
  return {
    type: 'track',
    event: 'Product Viewed',
    messageId: `bench-${n}-${Math.random().toString(36).slice(2, 10)}`,
    userId: `user-${n % 5000}`,
    properties: { product_id: `p-${n}`, price: 19.99, currency: 'USD', category: 'Games', name: 'Monopoly' },
    context: { library: { name: 'bench', version: '1.0.0' }, ip: '203.0.113.7', locale: 'en-US' },
    integrations: {},
    timestamp: now,
    receivedAt: now,
  };
}

const metadata = { sourceId: 'src-bench', workspaceId: 'ws-bench' };
const instance = { id: 'hook-bench' };

/** Translates and "delivers" `count` events; records their trace entries when `traced`. */
async function run(count, traced) {
  for (let n = 0; n < count; n++) {
    const e = /** @type {any} */ (event(n));
    const translation = translateEvent(webhook, e, settings);
    const request = translation.requests?.[0];
    if (!request) throw new Error('no request');
    const answeredAt = Date.now();
    const exchange = {
      request,
      response: {
        status: 200,
        headers: { 'content-type': 'application/json', 'content-length': '11' },
        body: '{"ok":true}',
      },
      answeredAt,
      durationMs: 3.2,
    };
    if (traced) {
      const subject = { event: e, metadata, origin: `events/${n % 6}/${n}` };
      const entry = traceEntry(subject, instance, 'webhook', 'delivered', { attempt: 1 }, answeredAt);
      writer.record({ entry, exchange });
    }
    // The translator's batches are a few hundred events between turns of the event loop.
    if (n % 250 === 249) await new Promise((resolve) => setImmediate(resolve));
  }
  await writer.flush();
}

const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
await run(20000, true);
await run(20000, false);
sentBytes = 0;
sentRecords = 0;
indexBytes = 0;
const diffs = [];
let tracedEvents = 0;
for (let round = 1; round <= ROUNDS; round++) {
  const order = round % 2 ? [false, true] : [true, false];
  const spent = {};
  for (const traced of order) {
    const start = cpu();
    await run(EVENTS, traced);
    spent[String(traced)] = (cpu() - start) / EVENTS;
    if (traced) tracedEvents += EVENTS;
  }
  diffs.push(spent.true - spent.false);
  console.log(
    `round ${round}: CPU per event without the trace ${spent.false.toFixed(2)} µs, with it ${spent.true.toFixed(2)} µs: the trace ${(spent.true - spent.false).toFixed(2)} µs`,
  );
}
diffs.sort((a, b) => a - b);
const median =
  diffs.length % 2 ? diffs[(diffs.length - 1) / 2] : (diffs[diffs.length / 2 - 1] + diffs[diffs.length / 2]) / 2;
console.log(
  `the trace (TRACE_REQUEST_BODIES=${BODIES}${process.env.SIGNED ? ', signed requests' : ''}): median ${median.toFixed(2)} µs of CPU per event ` +
    `(rounds ${diffs[0].toFixed(2)} to ${diffs[diffs.length - 1].toFixed(2)}); ${(sentBytes / tracedEvents).toFixed(0)} bytes per event in ${sentRecords} records, ` +
    `${(indexBytes / tracedEvents).toFixed(1)} index bytes per event`,
);
