// @ts-check
// What a webhook delivery costs ingestion before the Tracking API's path takes its calls: CPU per
// delivery of checking its signature and translating it, for a Stripe charge, a GitHub push and a
// Shopify order of the sizes the apps send (a few KB). No infrastructure needed; needs `pnpm build`.
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { WEBHOOK_APPS } = require('../dist/webhook/apps/index.js');

const secret = 'whsec_bench_secret_0123456789';
const pad = 'x'.repeat(1500); // the apps send many more fields than the translations read
const deliveries = {
  stripe: {
    payload: {
      id: 'evt_1',
      type: 'charge.succeeded',
      created: 1764680400,
      data: { object: { id: 'ch_1', customer: 'cus_1', amount: 2500, currency: 'eur', description: pad } },
    },
    headers: (body) => {
      const t = Math.floor(Date.now() / 1000);
      return { 'stripe-signature': `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}` };
    },
  },
  github: {
    payload: {
      ref: 'refs/heads/main',
      commits: Array.from({ length: 3 }, (_, i) => ({
        id: `c${i}`,
        message: pad.slice(0, 400),
        author: { name: 'a' },
      })),
      repository: { full_name: 'o/r', html_url: 'https://github.com/o/r' },
      sender: { login: 'octocat', id: 1 },
    },
    headers: (body) => ({
      'x-github-event': 'push',
      'x-github-delivery': 'd-1',
      'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    }),
  },
  shopify: {
    payload: {
      id: 5801343828171,
      total_price: '43.00',
      subtotal_price: '35.00',
      currency: 'EUR',
      customer: { id: 6940095250608 },
      note: pad,
      line_items: Array.from({ length: 4 }, (_, i) => ({ product_id: i, title: `p${i}`, price: '12.50', quantity: 1 })),
    },
    headers: (body) => ({
      'x-shopify-topic': 'orders/create',
      'x-shopify-webhook-id': 'w-1',
      'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
    }),
  },
};

const rounds = 5;
const perRound = 20_000;
for (const [kind, { payload, headers }] of Object.entries(deliveries)) {
  const body = JSON.stringify(payload);
  const raw = Buffer.from(body);
  const hdrs = headers(body);
  const app = WEBHOOK_APPS[kind];
  const figures = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.cpuUsage();
    for (let i = 0; i < perRound; i++) {
      if (!app.verify(hdrs, raw, secret, Date.now()).ok) throw new Error(`${kind}: signature refused`);
      app.translate({ headers: hdrs, payload: JSON.parse(body), raw }, undefined);
    }
    const used = process.cpuUsage(start);
    figures.push((used.user + used.system) / perRound);
  }
  figures.sort((a, b) => a - b);
  console.log(
    `${kind.padEnd(8)} ${raw.length} B body: verify + parse + translate ${figures[0].toFixed(1)}–${figures[rounds - 1].toFixed(1)} µs CPU per delivery (median ${figures[2].toFixed(1)}, ${rounds} rounds of ${perRound})`,
  );
}
