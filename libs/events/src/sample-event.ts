import type { CallType, SpecEvent } from './spec';

// A plausible event of each call type, as ingestion would have stored it, for a user to start
// from when trying a mapping (the mapping tester's "start from a sample"). Every value is made
// up; the shapes follow docs/event-spec.md.

const USER_ID = 'user-1234';
const ANONYMOUS_ID = '6f1c2a9e-4b7d-4c1e-9a55-3f2d8e0b7c41';

function common(type: CallType, at: string, messageId: string): SpecEvent {
  return {
    type,
    messageId,
    userId: USER_ID,
    anonymousId: ANONYMOUS_ID,
    timestamp: at,
    originalTimestamp: at,
    sentAt: at,
    receivedAt: at,
    context: {
      ip: '203.0.113.7',
      locale: 'en-US',
      timezone: 'Europe/Paris',
      library: { name: 'analytics.js', version: '5.2.0' },
      page: {
        path: '/pricing',
        referrer: 'https://www.example.com/',
        search: '?plan=team',
        title: 'Pricing',
        url: 'https://www.example.com/pricing?plan=team',
      },
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
      traits: { email: 'ada@example.com' },
    },
    integrations: {},
    version: 2,
    channel: 'browser',
  };
}

const TRAITS = {
  email: 'ada@example.com',
  firstName: 'Ada',
  lastName: 'Lovelace',
  plan: 'team',
  createdAt: '2026-01-15T09:30:00.000Z',
};

/** What each call type adds to the common fields; `name` is the track event or page/screen name. */
const SPECIFIC: Record<CallType, (name: string | undefined) => Partial<SpecEvent>> = {
  track: (name) => ({
    event: name ?? 'Order Completed',
    properties: {
      order_id: 'order-5001',
      total: 59.9,
      revenue: 49.9,
      currency: 'EUR',
      products: [{ product_id: 'sku-42', name: 'Notebook', price: 24.95, quantity: 2 }],
    },
  }),
  identify: () => ({ traits: TRAITS }),
  page: (name) => ({
    name: name ?? 'Pricing',
    category: 'Marketing',
    properties: { path: '/pricing', title: 'Pricing', url: 'https://www.example.com/pricing?plan=team' },
  }),
  screen: (name) => ({ name: name ?? 'Checkout', properties: { step: 2 } }),
  group: () => ({
    groupId: 'company-77',
    traits: { name: 'Analytical Engines Ltd', industry: 'Software', employees: 42 },
  }),
  alias: () => ({ previousId: ANONYMOUS_ID }),
};

/**
 * A sample Spec event of `type`, timestamped `at`; `name` names the track event (or the page or
 * screen). The messageId is fixed per type, so a sample sent twice reads as the same event.
 */
export function sampleEvent(type: CallType, name?: string, at: Date = new Date()): SpecEvent {
  const iso = at.toISOString();
  const event = { ...common(type, iso, `sample-${type}-0001`), ...SPECIFIC[type](name) };
  if (type === 'alias') delete event.anonymousId;
  return event;
}
