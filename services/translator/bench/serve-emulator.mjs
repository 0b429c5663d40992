// @ts-check
// The benchmark's destination: the emulator of BENCH_DESTINATION (webhook unless told;
// bench-destinations.mjs), alone in its process, plus a small stats endpoint: how many events
// arrived, when, and how late.
import { createServer } from 'node:http';
import { benchDestination } from './bench-destinations.mjs';

const destination = benchDestination();
const emulator = await destination.start();

function percentile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * What the accepted requests came to, kept up to date as they arrive rather than recomputed per
 * stats call: the bench polls while it measures, and re-reading every request each time would
 * stall this process and burn the cores the measured side shares. Counting reads as little as the
 * destination needs (a webhook body is one event unless it is an array); latencies, which need
 * each event's time, are worked out only when asked for, so the throughput phases do not pay for them.
 */
function freshTally() {
  return {
    seen: 0,
    requests: 0,
    events: 0,
    last: NaN,
    acceptedAt: /** @type {number[]} */ ([]),
    /** Events in the accepted requests before each one (requests carry several when batched). */
    eventsBefore: /** @type {number[]} */ ([]),
    accepted: /** @type {Array<{ body: string, path: string, status: number, receivedAt: number }>} */ ([]),
    latencies: /** @type {number[]} */ ([]),
    latenciesOf: 0,
  };
}
let tally = freshTally();

/** Takes the requests answered since the last call (stops at one still being answered). */
function catchUp() {
  const requests = emulator.requests;
  for (; tally.seen < requests.length; tally.seen++) {
    const request = requests[tally.seen];
    if (request.status === 0) break;
    if (request.status < 200 || request.status > 299) continue;
    tally.eventsBefore.push(tally.events);
    tally.events += destination.eventCount(request);
    tally.accepted.push(request);
    tally.acceptedAt.push(request.receivedAt);
    tally.last = Number.isNaN(tally.last) ? request.receivedAt : Math.max(tally.last, request.receivedAt);
  }
  tally.requests = requests.length;
}

/** Latency of every accepted event not measured yet: from its receivedAt to its arrival here. */
function catchUpLatencies() {
  for (; tally.latenciesOf < tally.accepted.length; tally.latenciesOf++) {
    const request = tally.accepted[tally.latenciesOf];
    for (const at of destination.eventTimes(request)) tally.latencies.push(request.receivedAt - at);
  }
}

const stats = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/reset') {
    emulator.reset();
    tally = freshTally();
    res.writeHead(204).end();
    return;
  }
  catchUp();
  const url = new URL(req.url ?? '/', 'http://stats');
  const body = { requests: tally.requests, events: tally.events, first: NaN, last: NaN, measured: 0, latency: {} };
  // ?skip=N: `first` is when the first request after the first N events arrived (a warm-up left
  // out of the rate); `measured` the events that arrived after it, over `last - first`.
  const skip = Number(url.searchParams.get('skip') ?? 0);
  const firstAfter = tally.eventsBefore.findIndex((before) => before >= skip);
  if (firstAfter >= 0) {
    body.first = tally.acceptedAt[firstAfter];
    body.measured = tally.events - (tally.eventsBefore[firstAfter + 1] ?? tally.events);
    body.last = tally.last;
  }
  if (url.searchParams.get('latency') === '1') {
    catchUpLatencies();
    const latencies = [...tally.latencies].sort((a, b) => a - b);
    body.latency = {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1],
    };
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
});
await new Promise((resolve) => stats.listen(0, '127.0.0.1', () => resolve(undefined)));
const address = /** @type {import('node:net').AddressInfo} */ (stats.address());
process.stdout.write(
  `READY ${JSON.stringify({ url: emulator.baseUrl, settings: destination.settings(emulator.baseUrl), stats: `http://127.0.0.1:${address.port}` })}\n`,
);

process.on('SIGTERM', async () => {
  stats.close();
  await emulator.close();
  process.exit(0);
});
