// @ts-check
// The benchmark's destination: the webhook emulator of @manifold/emulators (built), alone in its
// process, plus a small stats endpoint: how many events arrived, when, and how late.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { WebhookEmulator } = require('@manifold/emulators');

const emulator = await new WebhookEmulator().start();

function percentile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const stats = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/reset') {
    emulator.reset();
    res.writeHead(204).end();
    return;
  }
  const accepted = emulator.requests.filter((r) => r.status === 200);
  const body = { requests: emulator.requests.length, events: 0, first: NaN, last: NaN, latency: {} };
  const latencies = [];
  for (const request of accepted) {
    const parsed = JSON.parse(request.body);
    const events = Array.isArray(parsed) ? parsed : [parsed];
    body.events += events.length;
    for (const event of events) latencies.push(request.receivedAt - Date.parse(event.receivedAt));
  }
  // ?skip=N: `first` is when the request after the first N arrived (a warm-up left out of the rate).
  const skip = Number(new URL(req.url ?? '/', 'http://stats').searchParams.get('skip') ?? 0);
  if (accepted.length > skip) {
    body.first = accepted[skip].receivedAt;
    body.last = accepted.reduce((last, r) => Math.max(last, r.receivedAt), 0);
  }
  if (new URL(req.url ?? '/', 'http://stats').searchParams.get('latency') === '1') {
    latencies.sort((a, b) => a - b);
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
process.stdout.write(`READY ${JSON.stringify({ url: emulator.baseUrl, stats: `http://127.0.0.1:${address.port}` })}\n`);

process.on('SIGTERM', async () => {
  stats.close();
  await emulator.close();
  process.exit(0);
});
