// Node-side cost of a load without Kafka or PostgreSQL: JSON parse + layout, plan, COPY text.
import { SourceBatchBuilder, planLoad } from '@manifold/warehouse';
import { sampleEvents, copyChunks } from '@manifold/warehouse/testing';

const n = 20000;
const start = Date.parse('2026-03-01T00:00:00.000Z');
const bodies = Array.from({ length: n }, (_, i) =>
  Buffer.from(
    JSON.stringify(
      sampleEvents.track({
        userId: `user-${i % 5000}`,
        receivedAt: new Date(start + i).toISOString(),
        context: {
          library: { name: 'analytics.js', version: 'next-1.84.1' },
          ip: '203.0.113.9',
          page: { path: '/checkout', url: 'https://shop.example.com/checkout', title: 'Checkout' },
          userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130 Safari/537.36',
          locale: 'en-US',
        },
        properties: {
          order_id: `order-${i}`,
          revenue: 19.99 + (i % 100),
          currency: 'USD',
          coupon: i % 7 === 0 ? 'SPRING' : undefined,
          shipping: 4.5,
          tax: 1.2,
          products: [{ product_id: `p-${i % 300}`, price: 19.99, quantity: 1 }],
        },
      }),
    ),
  ),
);
const t = { parse: 0, layout: 0, plan: 0, copy: 0 };
let bytes = 0;
for (let round = 0; round < 12; round++) {
  let mark = performance.now();
  const builder = new SourceBatchBuilder({ schema: 's', uuidTs: new Date().toISOString(), maxStringLength: 512 });
  const parsed = bodies.map((b) => JSON.parse(b.toString('utf8')) as Parameters<SourceBatchBuilder['add']>[0]);
  const parseMs = performance.now() - mark;
  for (let i = 0; i < n; i++) builder.add(parsed[i]!, bodies[i]);
  if (round >= 2) t.parse += parseMs / 10;
  const batch = builder.finish();
  const layout = performance.now() - mark;
  mark = performance.now();
  const plan = planLoad(batch, undefined);
  const planMs = performance.now() - mark;
  mark = performance.now();
  for (const table of plan.tables)
    for (const c of copyChunks(table.rows, { plainText: plan.plainText })) bytes += c.length;
  const copy = performance.now() - mark;
  if (round >= 2) {
    t.layout += layout / 10;
    t.plan += planMs / 10;
    t.copy += copy / 10;
  }
}
process.stdout.write(
  `per ${n} events (ms): ${JSON.stringify(t, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v) : v))} ${bytes}\n`,
);
