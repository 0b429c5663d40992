// @ts-check
// The configuration the benchmark's ingestion processes serve: one enabled source with one write key,
// held to a tracking plan of BENCH_PLAN_EVENTS planned events when that is set (planBenchRules).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { InMemoryConfigView } = require('@manifold/config-client');

const planEvents = Number(process.env.BENCH_PLAN_EVENTS ?? 0);

/**
 * A plan of `count` events named `Bench Event <i>`, each with eight typed properties, three of them
 * required: the size of a real web plan's events. Policies report only, so every event is published.
 * @param {number} count
 */
export function planBenchRules(count) {
  const properties = {
    orderId: { type: 'string' },
    total: { type: 'number', minimum: 0 },
    currency: { type: 'string', enum: ['USD', 'EUR', 'GBP'] },
    coupon: { type: 'string' },
    products: { type: 'array', items: { type: 'object' } },
    email: { type: 'string', format: 'email' },
    quantity: { type: 'integer' },
    referrer: { type: 'string' },
  };
  const schema = { type: 'object', properties, required: ['orderId', 'total', 'currency'] };
  return {
    events: Object.fromEntries(Array.from({ length: count }, (_, i) => [`Bench Event ${i}`, schema])),
    policies: { unplannedEvents: 'allow', unplannedProperties: 'allow', violations: 'allow' },
  };
}

/** @param {string} writeKey @param {string} [sourceId] */
export function benchConfigView(writeKey, sourceId = 'src-bench') {
  return new InMemoryConfigView({
    version: 1,
    sources: [
      {
        id: sourceId,
        workspaceId: 'ws-bench',
        workspaceSlug: 'bench',
        slug: 'bench',
        name: 'Bench',
        enabled: true,
        writeKeys: [writeKey],
        type: 'http',
        ...(planEvents > 0 ? { trackingPlan: { id: 'tp-bench', version: 1, rules: planBenchRules(planEvents) } } : {}),
      },
    ],
    destinations: [],
    warehouses: [],
  });
}
