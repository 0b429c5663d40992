import { buildRequests, catalogEntry, outcomesPerEvent, prepareEvent, translateEvent } from '@manifold/destination-kit';
import { validateDefinition } from '@manifold/destination-kit/testing';
import { BrazeEmulator } from '@manifold/emulators';
import { braze } from './index';
import { withEpochReset } from './classify-response';
import { deliverAll, parsed, runTranslationCases, specEvent, type TranslationCase } from '../test-support/harness';

const KEY = 'braze-rest-key';
/** The events' timestamp: when they happened (receivedAt is 120 ms later). */
const HAPPENED = '2026-06-01T11:59:00.000Z';
const track = (...objects: unknown[]) => ({
  method: 'POST',
  path: '/users/track',
  headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
  json: { events: objects },
});
const attributes = (...objects: unknown[]) => ({
  method: 'POST',
  path: '/users/track',
  headers: { authorization: `Bearer ${KEY}` },
  json: { attributes: objects },
});

const purchases = (...objects: Record<string, unknown>[]) => ({
  method: 'POST',
  path: '/users/track',
  headers: { authorization: `Bearer ${KEY}` },
  json: {
    purchases: objects.map((o) => ({ external_id: 'user-1001', time: HAPPENED, _update_existing_only: false, ...o })),
  },
});

const order = specEvent({
  type: 'track',
  event: 'Order Completed',
  context: { traits: { email: 'ann@example.com' } },
  properties: {
    order_id: 'o-1',
    currency: 'eur',
    revenue: 27,
    products: [
      { product_id: 'sku-1', price: 9, quantity: 2, name: 'Mug' },
      { sku: 'sku-2', price: 9, currency: 'GBP' },
    ],
  },
});

const cases: TranslationCase[] = [
  {
    name: 'identify: attributes with standard fields from traits and context, other traits custom',
    event: specEvent({
      type: 'identify',
      context: { location: { country: 'France', latitude: 48.85, longitude: 2.35 } },
      traits: {
        email: 'ann@example.com',
        firstName: 'Ann',
        lastName: 'Lee',
        gender: 'female',
        birthday: '1990-02-03T00:00:00.000Z',
        avatar: 'https://img.example.com/ann.png',
        address: { city: 'Paris' },
        phone: '+33123456789',
        plan: 'pro',
        email_subscribe: 'opted_in',
      },
    }),
    expect: {
      requests: [
        attributes({
          plan: 'pro',
          address: { city: 'Paris' },
          email_subscribe: 'opted_in',
          external_id: 'user-1001',
          email: 'ann@example.com',
          first_name: 'Ann',
          last_name: 'Lee',
          phone: '+33123456789',
          gender: 'F',
          dob: '1990-02-03',
          home_city: 'Paris',
          image_url: 'https://img.example.com/ann.png',
          country: 'France',
          current_location: { latitude: 48.85, longitude: 2.35 },
          _update_existing_only: false,
        }),
      ],
    },
  },
  {
    name: 'identify by email only, updating existing users only',
    event: specEvent({ type: 'identify', userId: null, traits: { email: 'bob@example.com', tier: 2 } }),
    settings: { updateExistingOnly: true },
    expect: {
      requests: [attributes({ tier: 2, email: 'bob@example.com', _update_existing_only: true })],
    },
  },
  {
    name: 'identify of an anonymous visitor without email is dropped: Braze needs a user',
    event: specEvent({ type: 'identify', userId: null, traits: { plan: 'free' } }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'external_id' },
  },
  {
    name: 'track: events object, time = the event’s timestamp, app_id from settings, email from context.traits',
    event: specEvent({
      type: 'track',
      event: 'Played Song',
      context: { traits: { email: 'ann@example.com' } },
      properties: { song: 'Blue', seconds: 212 },
    }),
    settings: { appId: 'app-123' },
    expect: {
      requests: [
        track({
          external_id: 'user-1001',
          email: 'ann@example.com',
          app_id: 'app-123',
          name: 'Played Song',
          time: HAPPENED,
          properties: { song: 'Blue', seconds: 212 },
          _update_existing_only: false,
        }),
      ],
    },
  },
  {
    name: 'track of an event queued offline on a phone: time is when it happened, not when it arrived',
    event: specEvent({
      type: 'track',
      event: 'Application Backgrounded',
      timestamp: '2026-05-30T08:00:00.000Z',
      receivedAt: '2026-06-01T11:59:00.120Z',
    }),
    expect: {
      requests: [
        track({
          external_id: 'user-1001',
          name: 'Application Backgrounded',
          time: '2026-05-30T08:00:00.000Z',
          properties: {},
          _update_existing_only: false,
        }),
      ],
    },
  },
  {
    name: 'track with braze_id in properties',
    event: specEvent({ type: 'track', userId: null, event: 'Opened', properties: { braze_id: 'b-77' } }),
    expect: {
      requests: [
        track({
          braze_id: 'b-77',
          name: 'Opened',
          time: HAPPENED,
          properties: { braze_id: 'b-77' },
          _update_existing_only: false,
        }),
      ],
    },
  },
  {
    name: 'Order Completed: one purchase per product, currency product → order → USD, quantity default 1',
    event: order,
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/users/track',
          headers: { 'x-braze-batch': 'true' },
          json: {
            purchases: [
              {
                external_id: 'user-1001',
                email: 'ann@example.com',
                product_id: 'sku-1',
                currency: 'EUR',
                price: 9,
                quantity: 2,
                time: HAPPENED,
                properties: { name: 'Mug', order_id: 'o-1', currency: 'eur', revenue: 27 },
                _update_existing_only: false,
              },
              {
                external_id: 'user-1001',
                email: 'ann@example.com',
                product_id: 'sku-2',
                currency: 'GBP',
                price: 9,
                quantity: 1,
                time: HAPPENED,
                properties: { sku: 'sku-2', order_id: 'o-1', currency: 'eur', revenue: 27 },
                _update_existing_only: false,
              },
            ],
          },
        },
      ],
    },
  },
  {
    name: 'Order Completed with a price and a quantity sent as text: converted, the purchase recorded',
    event: specEvent({
      type: 'track',
      event: 'Order Completed',
      properties: { order_id: 'o-2', products: [{ product_id: 'mug', price: '12.50', quantity: '2' }] },
    }),
    expect: {
      requests: [
        purchases({ product_id: 'mug', currency: 'USD', price: 12.5, quantity: 2, properties: { order_id: 'o-2' } }),
      ],
      notices: [
        { kind: 'converted', field: 'products[].price', reason: 'string to number' },
        { kind: 'converted', field: 'products[].quantity', reason: 'string to number' },
      ],
    },
  },
  {
    name: 'Order Completed: a product without price is left out with a notice, the others recorded',
    event: specEvent({
      type: 'track',
      event: 'Order Completed',
      properties: {
        products: [
          { product_id: 7, price: 3, currency: 'gbp' },
          { product_id: 'gift', name: 'Gift card' },
          { name: 'Sticker', price: 1 },
        ],
      },
    }),
    expect: {
      requests: [
        {
          ...purchases(
            { product_id: '7', currency: 'GBP', price: 3, quantity: 1, properties: {} },
            { product_id: 'Sticker', currency: 'USD', price: 1, quantity: 1, properties: { name: 'Sticker' } },
          ),
          headers: { 'x-braze-batch': 'true' },
        },
      ],
      notices: [
        { kind: 'converted', field: 'products[].product_id', reason: 'number to string' },
        { kind: 'dropped', field: 'products[]', reason: 'not a purchase Braze takes: no price' },
      ],
    },
  },
  {
    name: 'Order Completed without products: recorded as a custom event (not dropped)',
    event: specEvent({ type: 'track', event: 'Order Completed', properties: { revenue: 3 } }),
    expect: {
      requests: [
        track({
          external_id: 'user-1001',
          name: 'Order Completed',
          time: HAPPENED,
          properties: { revenue: 3 },
          _update_existing_only: false,
        }),
      ],
      notices: [{ kind: 'converted', field: 'products', reason: 'no purchase Braze takes: sent as a custom event' }],
    },
  },
  {
    name: 'Order Completed with 101 units of a product: two purchases (Braze takes at most 100 per purchase)',
    event: specEvent({
      type: 'track',
      event: 'Order Completed',
      properties: { products: [{ product_id: 'p', price: 1, quantity: 101 }] },
    }),
    expect: {
      requests: [
        {
          ...purchases(
            { product_id: 'p', currency: 'USD', price: 1, quantity: 100, properties: {} },
            { product_id: 'p', currency: 'USD', price: 1, quantity: 1, properties: {} },
          ),
          headers: { 'x-braze-batch': 'true' },
        },
      ],
      notices: [{ kind: 'converted', field: 'products[].quantity', reason: 'split into purchases of at most 100' }],
    },
  },
  {
    name: 'identify with a numeric phone: sent as its digits, the profile delivered',
    event: specEvent({ type: 'identify', traits: { phone: 33123456789, firstName: 'Ann' } }),
    expect: {
      requests: [
        attributes({ external_id: 'user-1001', first_name: 'Ann', phone: '33123456789', _update_existing_only: false }),
      ],
      notices: [{ kind: 'converted', field: 'phone', reason: 'number to string' }],
    },
  },
  {
    name: 'identify: only the fields Braze cannot take are left out (gender, birthday, $-trait, half a location)',
    event: specEvent({
      type: 'identify',
      context: { location: { latitude: '48.85' } },
      traits: { gender: 'non-binary', birthday: 'soon', $score: 3, plan: 'pro', lastName: 7 },
    }),
    expect: {
      requests: [attributes({ plan: 'pro', external_id: 'user-1001', last_name: '7', _update_existing_only: false })],
      notices: [
        { kind: 'converted', field: 'lastName', reason: 'number to string' },
        { kind: 'converted', field: 'latitude', reason: 'string to number' },
        { kind: 'dropped', field: '$score', reason: 'name starting with $' },
        { kind: 'dropped', field: 'gender', reason: 'not a gender Braze has a letter for (M, F, O, N, P)' },
        { kind: 'dropped', field: 'dob', reason: 'not an ISO-8601 date-time' },
        { kind: 'dropped', field: 'current_location', reason: 'a latitude or a longitude without the other' },
      ],
    },
  },
  {
    name: 'track: a $-property and a text over 255 characters are left out, the event recorded',
    event: specEvent({
      type: 'track',
      event: 'Shared',
      properties: { $channel: 'x', note: 'n'.repeat(300), url: 'https://shop.example.com/p/1' },
    }),
    expect: {
      requests: [
        track({
          external_id: 'user-1001',
          name: 'Shared',
          time: HAPPENED,
          properties: { url: 'https://shop.example.com/p/1' },
          _update_existing_only: false,
        }),
      ],
      notices: [
        { kind: 'dropped', field: 'properties.$channel', reason: 'name starting with $' },
        { kind: 'dropped', field: 'properties.note', reason: 'text longer than 255 characters' },
      ],
    },
  },
  {
    name: 'group: ab_segment_group_<groupId> = true on the user',
    event: specEvent({ type: 'group', groupId: 'acme', traits: { name: 'Acme' } }),
    expect: {
      requests: [attributes({ external_id: 'user-1001', ab_segment_group_acme: true, _update_existing_only: false })],
    },
  },
  {
    name: 'page is dropped with the reason',
    event: specEvent({ type: 'page', name: 'Home' }),
    expect: { drop: 'UNSUPPORTED_EVENT_TYPE', message: 'page views' },
  },
  {
    name: 'screen is dropped with the reason',
    event: specEvent({ type: 'screen', name: 'Home' }),
    expect: { drop: 'UNSUPPORTED_EVENT_TYPE', message: 'screen views' },
  },
  {
    name: 'alias is dropped with the reason',
    event: specEvent({ type: 'alias', previousId: 'anon-4d2b9c' }),
    expect: { drop: 'UNSUPPORTED_EVENT_TYPE', message: '/users/merge' },
  },
];

describe('Braze', () => {
  let emulator: BrazeEmulator;
  beforeAll(async () => {
    emulator = await new BrazeEmulator({ apiKey: KEY }).start();
  });
  afterAll(() => emulator.close());

  const base = () => ({ apiKey: KEY, apiBaseUrl: emulator.baseUrl });

  it('has a valid definition and catalog entry', () => {
    expect(validateDefinition(braze)).toEqual([]);
    expect(catalogEntry(braze)).toMatchObject({
      id: 'braze',
      name: 'Braze',
      secrets: { apiKey: 'whole', apiBaseUrl: 'url' },
      supportedCallTypes: ['identify', 'track', 'group'],
      settingsSchema: { properties: { apiBaseUrl: { default: 'https://rest.iad-01.braze.com' } } },
    });
  });

  runTranslationCases(braze, cases, () => ({ baseSettings: base(), baseUrl: emulator.baseUrl }));

  it('the emulator kept the profiles, events and purchases of the cases', () => {
    expect(emulator.users.get('external_id:user-1001')?.attributes).toMatchObject({
      first_name: 'Ann',
      gender: 'F',
      ab_segment_group_acme: true,
    });
    expect(emulator.events.map((e) => e.object['name'])).toEqual([
      'Played Song',
      'Application Backgrounded',
      'Opened',
      'Order Completed',
      'Shared',
    ]);
    expect(emulator.purchases.map((p) => p.object['product_id'])).toEqual([
      'sku-1',
      'sku-2',
      'mug',
      '7',
      'Sticker',
      'p',
      'p',
    ]);
    expect(emulator.users.get('external_id:user-1001')?.attributes).toMatchObject({ phone: '33123456789' });
    expect(emulator.ignored.map((i) => i.user)).toEqual(['email:bob@example.com']);
  });

  it('batches events of several users, 75 objects per request, and maps per-object errors to their event', async () => {
    emulator.reset();
    const settings = parsed(braze, base());
    const events = Array.from({ length: 76 }, (_v, i) =>
      specEvent({
        type: 'track',
        event: 'Tick',
        userId: `u-${i}`,
        messageId: `m-${i}`,
        properties: { i },
      }),
    );
    const payloads = events.map((e) => {
      const prepared = prepareEvent(braze, e, settings);
      if (!('payload' in prepared)) throw new Error(prepared.message);
      return prepared.payload;
    });
    // An object Braze refuses (the translator never builds one without a name): rejected alone.
    payloads[3] = { ...payloads[3], name: '' };
    const first = buildRequests(braze, 'trackEvent', payloads.slice(0, 75), settings);
    const second = buildRequests(braze, 'trackEvent', payloads.slice(75), settings);
    expect(first.map((r) => r.itemEvents?.length)).toEqual([75]);
    expect(first[0]?.headers['x-braze-batch']).toBe('true');
    expect(second[0]?.headers['x-braze-batch']).toBeUndefined();
    const [answer] = await deliverAll(braze, first);
    expect(answer?.response.status).toBe(201);
    const perEvent = outcomesPerEvent(first[0]!, answer!.outcome, 75);
    expect(perEvent.filter((o) => o.kind !== 'delivered')).toEqual([
      {
        kind: 'dead-letter',
        reason: 'REJECTED',
        status: 400,
        message: "Braze rejected events[3]: 'name' is required",
      },
    ]);
    expect(emulator.events).toHaveLength(74);
  });

  it('an order of 80 products is cut into requests of 75 purchases, all mapped to the order', () => {
    const settings = parsed(braze, base());
    const big = {
      ...order,
      properties: { products: Array.from({ length: 80 }, (_v, i) => ({ product_id: `p-${i}`, price: 1 })) },
    };
    const translation = translateEvent(braze, big, settings);
    if (translation.kind !== 'requests') throw new Error(JSON.stringify(translation));
    expect(translation.requests.map((r) => r.itemEvents?.length)).toEqual([75, 5]);
    expect(new Set(translation.requests.flatMap((r) => r.itemEvents))).toEqual(new Set([0]));
  });

  it('a wrong key is a permanent failure; 5xx and 429 are retried; an epoch X-RateLimit-Reset is read as a time', async () => {
    const translation = translateEvent(
      braze,
      specEvent({ type: 'track', event: 'X' }),
      parsed(braze, { ...base(), apiKey: 'nope' }),
    );
    if (translation.kind !== 'requests') throw new Error('no requests');
    const [rejected] = await deliverAll(braze, translation.requests);
    expect(rejected?.outcome).toMatchObject({ kind: 'dead-letter', reason: 'REJECTED', status: 401 });
    emulator.failNext(1, { status: 502 });
    emulator.failNext(1, { status: 429, retryAfterSeconds: 7 });
    const good = translateEvent(braze, specEvent({ type: 'track', event: 'X' }), parsed(braze, base()));
    if (good.kind !== 'requests') throw new Error('no requests');
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push((await deliverAll(braze, good.requests))[0]?.outcome);
    expect(outcomes).toMatchObject([
      { kind: 'retry', status: 502 },
      { kind: 'retry', status: 429, retryAfterMs: 7000 },
      { kind: 'delivered', status: 201 },
    ]);
    const now = Date.parse('2026-06-01T12:00:00Z');
    const reset = withEpochReset(
      { kind: 'retry', reason: 'HTTP 429', status: 429, retryAfterMs: now / 1000 + 30 },
      { status: 429, headers: { 'x-ratelimit-reset': String(now / 1000 + 30) }, body: '' },
      now,
    );
    expect(reset).toMatchObject({ kind: 'retry', retryAfterMs: 30_000 });
  });
});
