// What translating one event costs per destination (pure: mapping, validation, perform; no I/O),
// for the same realistic track and order events, rounds interleaved across destinations so a
// change in the shared machine's speed weighs on all alike; the median of the rounds is printed.
// Run: pnpm exec tsx --tsconfig tsconfig.json libs/destinations/bench/translate-cost-bench.ts
import { isUnsupported, parseSettings, translateEvent, type DestinationDefinition } from '@manifold/destination-kit';
import type { SpecEvent } from '@manifold/events';
import { DESTINATIONS } from '../src/index';

const ROUNDS = Number(process.env['ROUNDS'] ?? 9);
const CALLS = Number(process.env['CALLS'] ?? 20_000);

/** Settings that make each destination send (the credentials are placeholders: nothing is sent). */
const SETTINGS: Record<string, Record<string, unknown>> = {
  webhook: { url: 'https://hooks.example.test/in' },
  mixpanel: { projectToken: 'tok', apiSecret: 'sec' },
  amplitude: { apiKey: 'key' },
  'google-analytics-4': { measurementId: 'G-TEST123', apiSecret: 'sec' },
  customerio: { siteId: 'site', apiKey: 'key' },
  posthog: { apiKey: 'phc_key' },
  braze: { apiKey: 'key' },
  intercom: { accessToken: 'tok' },
  'meta-conversions-api': { accessToken: 'tok', pixelId: '1234567890' },
  klaviyo: { apiKey: 'pk_key' },
  iterable: { apiKey: 'key' },
  sendgrid: { apiKey: 'key' },
  mailchimp: { apiKey: 'key-us6', listId: 'list' },
  zendesk: { subdomain: 'acme', email: 'admin@acme.test', apiToken: 'tok' },
  kafka: { brokers: 'kafka-1:9093', topic: 'events' },
};

const context = {
  ip: '203.0.113.7',
  locale: 'en-US',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36',
  page: { url: 'https://shop.example.com/p/1', path: '/p/1', title: 'Lamp' },
  traits: { email: 'ann@example.com', phone: '+33 1 23 45 67 89', firstName: 'Ann', address: { city: 'Paris' } },
};
const now = new Date().toISOString();
const base = { userId: 'user-1', anonymousId: 'anon-1', timestamp: now, receivedAt: now, sentAt: now, context };
const EVENTS: SpecEvent[] = [
  {
    ...base,
    type: 'track',
    messageId: 'm-1',
    event: 'Product Viewed',
    properties: { product_id: 'p-1', price: 19.99, currency: 'USD', category: 'Games', name: 'Monopoly' },
  },
  {
    ...base,
    type: 'track',
    messageId: 'm-2',
    event: 'Order Completed',
    properties: {
      order_id: 'o-1',
      revenue: 39.98,
      total: 42,
      currency: 'USD',
      products: [{ product_id: 'p-1', price: 19.99, quantity: 2, name: 'Lamp' }],
    },
  },
];

/** For destinations that take no track calls (contacts, users): an identify with custom traits. */
const IDENTIFY: SpecEvent = {
  ...base,
  type: 'identify',
  messageId: 'm-3',
  traits: { ...context.traits, lastName: 'Lee', plan: 'pro', seats: 12, beta: true, tags: ['vip'] },
};

function microsPerEvent(destination: DestinationDefinition, settings: unknown): number {
  const events = isUnsupported(destination.routes.track ?? { unsupported: '' }) ? [IDENTIFY, IDENTIFY] : EVENTS;
  for (let i = 0; i < 1000; i++) translateEvent(destination, events[i % 2] as SpecEvent, settings as never);
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) translateEvent(destination, events[i % 2] as SpecEvent, settings as never);
  return Number(process.hrtime.bigint() - start) / CALLS / 1000;
}

const runs = new Map<string, number[]>();
const parsed = DESTINATIONS.map((destination) => {
  const result = parseSettings(destination, SETTINGS[destination.id] ?? {});
  if (!result.ok) throw new Error(`${destination.id}: ${result.outcome.message}`);
  return { destination, settings: result.settings };
});
for (let round = 0; round < ROUNDS; round++) {
  for (const { destination, settings } of round % 2 ? [...parsed].reverse() : parsed) {
    const list = runs.get(destination.id) ?? [];
    list.push(microsPerEvent(destination, settings));
    runs.set(destination.id, list);
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
console.log(
  `translateEvent, µs per event (median of ${ROUNDS} rounds of ${CALLS}; Product Viewed and Order Completed alternately; an identify where track is not taken)`,
);
for (const [id, values] of runs) console.log(`${id.padEnd(22)} ${median(values).toFixed(1).padStart(7)}`);
