// @ts-check
// `node services/ingestion/bench/plan-bench.mjs` (after `pnpm build`): what holding events to a
// 50-event tracking plan costs ingestion's throughput. The service runs as bench:ingest runs it
// (built package, real Kafka), once without a plan and once with one, in alternating rounds so
// both see the same machine; 100-event batches of planned events (one in ten breaking its schema,
// so violations are found, written to headers and counted) are sent as fast as answered.
//
//   KAFKA_BROKERS   Kafka (default 127.0.0.1:9092)
//   DURATION        seconds per run (default 10)
//   ROUNDS          alternating rounds (default 3)
//   CONNECTIONS     concurrent clients (default 20)
//   PLAN_EVENTS     events in the plan (default 50)
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const require = createRequire(import.meta.url);
const { startChild, stopChild, pidCpuSeconds } = require('@manifold/testing');
const here = dirname(fileURLToPath(import.meta.url));
const duration = Number(process.env.DURATION ?? 10);
const rounds = Number(process.env.ROUNDS ?? 3);
const connections = Number(process.env.CONNECTIONS ?? 20);
const planEvents = Number(process.env.PLAN_EVENTS ?? 50);
const writeKey = 'plan-bench-write-key';

const batch = Array.from({ length: 100 }, (_, i) => ({
  type: 'track',
  userId: `user-${i % 17}`,
  event: `Bench Event ${i % planEvents}`,
  properties: {
    orderId: `o-${i}`,
    total: i % 10 === 0 ? 'free' : 19.99 + i,
    currency: 'EUR',
    coupon: 'SPRING',
    products: [{ sku: 'sku-1', price: 9.99 }],
    email: 'buyer@example.com',
    quantity: 2,
    referrer: 'https://example.com/ad',
  },
  context: { library: { name: 'analytics.js', version: '2.0.0' }, page: { path: '/checkout' } },
}));
const body = JSON.stringify({ batch });

/** @param {boolean} withPlan */
async function run(withPlan) {
  const { child, info } = await startChild(join(here, 'serve-ingestion.mjs'), {
    env: { BENCH_WRITE_KEY: writeKey, BENCH_PLAN_EVENTS: withPlan ? String(planEvents) : '0' },
    echo: false,
  });
  try {
    const options = {
      url: `${info.url}/v1/batch`,
      method: /** @type {const} */ ('POST'),
      connections,
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
      },
      body,
    };
    await autocannon({ ...options, duration: 2 }); // warm-up: JIT, Kafka metadata, the plan compiled
    const cpuBefore = pidCpuSeconds(Number(child.pid));
    const result = await autocannon({ ...options, duration });
    const cpuSeconds = pidCpuSeconds(Number(child.pid)) - cpuBefore;
    const events = result['2xx'] * batch.length;
    if (result.non2xx > 0) throw new Error(`${result.non2xx} requests were refused`);
    // CPU per event is the steadier figure on a shared machine: it does not move with the share
    // of the cores the service got during its run.
    return { eventsPerSecond: events / duration, p99: result.latency.p99, cpuMicros: (cpuSeconds * 1e6) / events };
  } finally {
    await stopChild(child);
  }
}

const rows = [];
for (let round = 1; round <= rounds; round++) {
  for (const withPlan of round % 2 === 1 ? [false, true] : [true, false]) {
    const { eventsPerSecond, p99, cpuMicros } = await run(withPlan);
    rows.push({ round, withPlan, eventsPerSecond, cpuMicros });
    const label = withPlan ? `${planEvents}-event plan` : 'no plan      ';
    console.log(
      `round ${round} ${label}  ${Math.round(eventsPerSecond)} events/s  ${cpuMicros.toFixed(1)} CPU µs/event  p99 ${p99} ms`,
    );
  }
}
const mean = (/** @type {boolean} */ withPlan, /** @type {'eventsPerSecond' | 'cpuMicros'} */ key) => {
  const picked = rows.filter((r) => r.withPlan === withPlan);
  return picked.reduce((sum, r) => sum + r[key], 0) / picked.length;
};
const [rateWithout, rateWith] = [mean(false, 'eventsPerSecond'), mean(true, 'eventsPerSecond')];
const [cpuWithout, cpuWith] = [mean(false, 'cpuMicros'), mean(true, 'cpuMicros')];
console.log(`mean without a plan: ${Math.round(rateWithout)} events/s, ${cpuWithout.toFixed(1)} CPU µs/event`);
console.log(
  `mean with a ${planEvents}-event plan: ${Math.round(rateWith)} events/s, ${cpuWith.toFixed(1)} CPU µs/event`,
);
console.log(`throughput cost (events/s): ${(((rateWithout - rateWith) / rateWithout) * 100).toFixed(1)} %`);
// Throughput at saturation is 1 / CPU per event, so this is the same cost measured without the noise.
console.log(`throughput cost (from CPU/event): ${((1 - cpuWithout / cpuWith) * 100).toFixed(1)} % (target < 15 %)`);
