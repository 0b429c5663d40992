import { buildRequests, catalogEntry, outcomesPerEvent, prepareEvent } from '@manifold/destination-kit';
import { validateDefinition } from '@manifold/destination-kit/testing';
import { AmplitudeEmulator } from '@manifold/emulators';
import { amplitude } from './index';
import {
  deliverAll,
  NOW,
  parsed,
  runTranslationCases,
  specEvent,
  TIMESTAMP_MS,
  type TranslationCase,
} from '../test-support/harness';
import { USER_AGENTS } from '../test-support/user-agents';

const KEY = 'amp-api-key';
const MESSAGE_ID = 'ajs-next-1780314000000-6f0c3b1e-7d4a-4c4e-9a57-0e1c2d3f4a5b';

/** What `specEvent`'s page referrer becomes in user properties (Segment's preset). */
const referred = {
  $set: { referrer: 'https://google.com/' },
  $setOnce: { initial_referrer: 'https://google.com/' },
};

/** What every event built from `specEvent` carries. */
const common = {
  user_properties: referred,
  user_id: 'user-1001',
  device_id: 'anon-4d2b9c',
  time: TIMESTAMP_MS,
  platform: 'Web',
  /** From `specEvent`'s user agent (a Linux desktop browser). */
  os_name: 'Linux',
  language: 'en-US',
  ip: '203.0.113.7',
  insert_id: MESSAGE_ID,
  library: 'manifold',
};

const order = specEvent({
  type: 'track',
  event: 'Order Completed',
  properties: {
    order_id: 'o-1',
    revenue: 25,
    products: [
      { product_id: 'p1', price: 20, quantity: 1 },
      { product_id: 'p2', price: 5, quantity: 1 },
    ],
  },
});

const cases: TranslationCase[] = [
  {
    name: 'track → /2/httpapi with api_key in the body, time in ms, messageId as insert_id',
    event: specEvent({
      type: 'track',
      event: 'Song Played',
      properties: { title: 'Blue', price: 1.5 },
      context: {
        ...specEvent({ type: 'track' }).context,
        device: { id: 'dev-123456', type: 'ios', model: 'iPhone15,2' },
        os: { name: 'iOS', version: '17.1' },
        traits: { plan: 'pro' },
      },
      integrations: { Amplitude: { session_id: '1780313000000' } },
    }),
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/2/httpapi',
          headers: { 'content-type': 'application/json' },
          json: {
            api_key: KEY,
            events: [
              {
                ...common,
                device_id: 'dev-123456',
                idfv: 'dev-123456',
                event_type: 'Song Played',
                session_id: 1780313000000,
                event_properties: { title: 'Blue', price: 1.5 },
                user_properties: { plan: 'pro', ...referred },
                platform: 'iOS',
                os_name: 'iOS',
                os_version: '17.1',
                device_model: 'iPhone15,2',
              },
            ],
          },
        },
      ],
      notices: [{ kind: 'converted', field: 'session_id', reason: 'string to number' }],
    },
  },
  {
    name: 'Order Completed → the order with revenue, then one "Product Purchased" per product',
    event: order,
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/2/httpapi',
          json: {
            api_key: KEY,
            events: [
              {
                ...common,
                event_type: 'Order Completed',
                event_properties: order.properties,
                revenue: 25,
                revenueType: 'Purchase',
              },
              {
                ...common,
                event_type: 'Product Purchased',
                event_properties: { product_id: 'p1', price: 20, quantity: 1 },
                insert_id: `${MESSAGE_ID}-1`,
              },
              {
                ...common,
                event_type: 'Product Purchased',
                event_properties: { product_id: 'p2', price: 5, quantity: 1 },
                insert_id: `${MESSAGE_ID}-2`,
              },
            ],
          },
        },
      ],
    },
  },
  {
    name: 'page → "Viewed <name>" on /batch when asked, with min_id_length',
    event: specEvent({ type: 'page', name: 'Home', properties: { path: '/' } }),
    settings: { useBatchEndpoint: true, minIdLength: 3 },
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/batch',
          json: {
            api_key: KEY,
            options: { min_id_length: 3 },
            events: [{ ...common, event_type: 'Viewed Home', event_properties: { path: '/' } }],
          },
        },
      ],
    },
  },
  {
    name: 'screen without a name → "Loaded a Screen"',
    event: specEvent({ type: 'screen' }),
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/2/httpapi',
          json: { api_key: KEY, events: [{ ...common, event_type: 'Loaded a Screen', event_properties: {} }] },
        },
      ],
    },
  },
  {
    name: 'identify → form-encoded /identify with the traits as user properties',
    event: specEvent({ type: 'identify', traits: { email: 'ann@example.com', plan: 'pro' } }),
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/identify',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          form: {
            api_key: KEY,
            identification: {
              user_id: 'user-1001',
              device_id: 'anon-4d2b9c',
              user_properties: { email: 'ann@example.com', plan: 'pro', ...referred },
              platform: 'Web',
              os_name: 'Linux',
              language: 'en-US',
            },
          },
        },
      ],
    },
  },
  {
    name: 'campaign and referrer → utm_* and referrer under $set, initial_* under $setOnce, beside the traits',
    event: specEvent({
      type: 'track',
      event: 'Signed Up',
      context: {
        ...specEvent({ type: 'track' }).context,
        page: { url: 'https://shop.example.com/?utm_source=news', referrer: 'https://news.example.com/' },
        campaign: { source: 'news', medium: 'email', name: 'spring', term: 'shoes' },
        traits: { plan: 'free' },
      },
    }),
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/2/httpapi',
          json: {
            api_key: KEY,
            events: [
              {
                ...common,
                event_type: 'Signed Up',
                event_properties: {},
                user_properties: {
                  plan: 'free',
                  $set: {
                    utm_source: 'news',
                    utm_medium: 'email',
                    utm_campaign: 'spring',
                    utm_term: 'shoes',
                    referrer: 'https://news.example.com/',
                  },
                  $setOnce: {
                    initial_utm_source: 'news',
                    initial_utm_medium: 'email',
                    initial_utm_campaign: 'spring',
                    initial_utm_term: 'shoes',
                    initial_referrer: 'https://news.example.com/',
                  },
                },
              },
            ],
          },
        },
      ],
    },
  },
  {
    name: 'group → /identify putting the user in the group, then /groupidentify',
    event: specEvent({ type: 'group', groupId: 'acme', traits: { employees: 50 } }),
    settings: { groupType: 'company' },
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/identify',
          form: {
            api_key: KEY,
            identification: {
              user_id: 'user-1001',
              device_id: 'anon-4d2b9c',
              groups: { company: 'acme' },
              user_properties: { company: 'acme' },
            },
          },
        },
        {
          method: 'POST',
          path: '/groupidentify',
          form: {
            api_key: KEY,
            identification: [{ group_type: 'company', group_value: 'acme', group_properties: { employees: 50 } }],
          },
        },
      ],
    },
  },
  {
    name: 'a non-purchase with price, quantity and revenue books no revenue: they stay event properties',
    event: specEvent({
      type: 'track',
      event: 'Product Viewed',
      properties: { product_id: 'p1', productId: 'p1', price: 20, quantity: 2, revenue: 40, revenueType: 'Sale' },
    }),
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/2/httpapi',
          json: {
            api_key: KEY,
            events: [
              {
                ...common,
                event_type: 'Product Viewed',
                event_properties: {
                  product_id: 'p1',
                  productId: 'p1',
                  price: 20,
                  quantity: 2,
                  revenue: 40,
                  revenueType: 'Sale',
                },
              },
            ],
          },
        },
      ],
    },
  },
  {
    name: 'Order Completed from price × quantity: the revenue with its product id and type',
    event: specEvent({
      type: 'track',
      event: 'Order Completed',
      properties: { order_id: 'o-2', price: '12.50', quantity: '2', productId: 'sku-9', revenueType: 'Sale' },
    }),
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/2/httpapi',
          json: {
            api_key: KEY,
            events: [
              {
                ...common,
                event_type: 'Order Completed',
                event_properties: {
                  order_id: 'o-2',
                  price: '12.50',
                  quantity: '2',
                  productId: 'sku-9',
                  revenueType: 'Sale',
                },
                price: 12.5,
                quantity: 2,
                revenue: 25,
                productId: 'sku-9',
                revenueType: 'Sale',
              },
            ],
          },
        },
      ],
      notices: [
        { kind: 'converted', field: 'price', reason: 'string to number' },
        { kind: 'converted', field: 'quantity', reason: 'string to number' },
      ],
    },
  },
  {
    name: 'latitude and longitude sent as strings are converted to numbers, with a notice',
    event: specEvent({
      type: 'track',
      event: 'Store Visited',
      context: {
        ...specEvent({ type: 'track' }).context,
        location: { latitude: '48.8566', longitude: '2.3522', city: 'Paris', country: 'France' },
      },
    }),
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/2/httpapi',
          json: {
            api_key: KEY,
            events: [
              {
                ...common,
                event_type: 'Store Visited',
                event_properties: {},
                city: 'Paris',
                country: 'France',
                location_lat: 48.8566,
                location_lng: 2.3522,
              },
            ],
          },
        },
      ],
      notices: [
        { kind: 'converted', field: 'location_lat', reason: 'string to number' },
        { kind: 'converted', field: 'location_lng', reason: 'string to number' },
      ],
    },
  },
  {
    name: "an Android app's advertising id goes to adid, not idfa",
    event: specEvent({
      type: 'track',
      event: 'App Opened',
      context: {
        library: { name: 'analytics-android', version: '4.11.3' },
        ip: '203.0.113.7',
        locale: 'en-US',
        device: {
          id: 'android-device-1',
          type: 'android',
          advertisingId: '38400000-8cf0-11bd-b23e-10b96e40000d',
          manufacturer: 'Google',
          model: 'Pixel 8',
        },
        os: { name: 'Android', version: '14' },
        app: { version: '2.3.0' },
      },
    }),
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/2/httpapi',
          json: {
            api_key: KEY,
            events: [
              {
                user_id: 'user-1001',
                device_id: 'android-device-1',
                event_type: 'App Opened',
                time: TIMESTAMP_MS,
                event_properties: {},
                app_version: '2.3.0',
                platform: 'Android',
                os_name: 'Android',
                os_version: '14',
                device_manufacturer: 'Google',
                device_model: 'Pixel 8',
                language: 'en-US',
                ip: '203.0.113.7',
                adid: '38400000-8cf0-11bd-b23e-10b96e40000d',
                idfv: 'android-device-1',
                insert_id: MESSAGE_ID,
                library: 'manifold',
              },
            ],
          },
        },
      ],
    },
  },
  {
    name: "an iOS app's advertising id goes to idfa",
    event: specEvent({
      type: 'track',
      event: 'App Opened',
      context: {
        library: { name: 'analytics-ios', version: '4.1.8' },
        device: { id: 'ios-vendor-1', type: 'ios', advertisingId: '6D92078A-8246-4BA4-AE5B-76104861E7DC' },
        os: { name: 'iOS', version: '17.1' },
      },
    }),
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/2/httpapi',
          json: {
            api_key: KEY,
            events: [
              {
                user_id: 'user-1001',
                device_id: 'ios-vendor-1',
                event_type: 'App Opened',
                time: TIMESTAMP_MS,
                event_properties: {},
                platform: 'iOS',
                os_name: 'iOS',
                os_version: '17.1',
                idfa: '6D92078A-8246-4BA4-AE5B-76104861E7DC',
                idfv: 'ios-vendor-1',
                insert_id: MESSAGE_ID,
                library: 'manifold',
              },
            ],
          },
        },
      ],
    },
  },
  {
    name: 'a web event from a desktop browser: OS from the user agent',
    event: specEvent({
      type: 'page',
      name: 'Pricing',
      context: { ...specEvent({ type: 'page' }).context, userAgent: USER_AGENTS.desktopChrome },
    }),
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/2/httpapi',
          json: {
            api_key: KEY,
            events: [
              { ...common, event_type: 'Viewed Pricing', event_properties: {}, os_name: 'Windows', os_version: '10' },
            ],
          },
        },
      ],
    },
  },
  {
    name: 'a web event from an Android phone: OS, maker and model from the user agent',
    event: specEvent({
      type: 'track',
      event: 'Clicked',
      context: { ...specEvent({ type: 'track' }).context, userAgent: USER_AGENTS.androidChrome },
    }),
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/2/httpapi',
          json: {
            api_key: KEY,
            events: [
              {
                ...common,
                event_type: 'Clicked',
                event_properties: {},
                os_name: 'Android',
                os_version: '14',
                device_manufacturer: 'Google',
                device_model: 'Pixel 8',
              },
            ],
          },
        },
      ],
    },
  },
  {
    name: 'track without an event name is an invalid payload',
    event: specEvent({ type: 'track' }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'event_type' },
  },
];

describe('Amplitude', () => {
  let amp: AmplitudeEmulator;
  beforeAll(async () => {
    amp = await new AmplitudeEmulator({ apiKey: KEY, now: () => NOW }).start();
  });
  afterAll(() => amp.close());

  const baseSettings = () => ({ apiKey: KEY, apiBaseUrl: amp.baseUrl, userMapBaseUrl: amp.baseUrl });

  it('has a valid definition and catalog entry', () => {
    expect(validateDefinition(amplitude)).toEqual([]);
    expect(catalogEntry(amplitude)).toMatchObject({
      id: 'amplitude',
      name: 'Amplitude',
      secrets: { apiKey: 'whole', apiBaseUrl: 'url', userMapBaseUrl: 'url' },
      supportedCallTypes: ['identify', 'track', 'page', 'screen', 'group', 'alias'],
      settingsSchema: {
        properties: {
          apiBaseUrl: { default: 'https://api2.amplitude.com' },
          userMapBaseUrl: { default: 'https://api.amplitude.com' },
        },
      },
    });
  });

  runTranslationCases(amplitude, cases, () => ({ baseSettings: baseSettings(), baseUrl: amp.baseUrl }));

  it('alias → /usermap on the user-mapping host', async () => {
    const settings = parsed(amplitude, baseSettings());
    const prepared = prepareEvent(amplitude, specEvent({ type: 'alias', previousId: 'old-user-9' }), settings);
    if (prepared.kind !== 'prepared') throw new Error(prepared.message);
    const requests = buildRequests(amplitude, prepared.action, [prepared.payload], settings);
    expect(requests[0]?.url).toBe(`${amp.baseUrl}/usermap`);
    expect(new URLSearchParams(requests[0]?.body).get('mapping')).toBe(
      JSON.stringify([{ user_id: 'old-user-9', global_user_id: 'user-1001' }]),
    );
    const [result] = await deliverAll(amplitude, requests);
    expect(result?.outcome.kind).toBe('delivered');
    expect(amp.userMappings.at(-1)).toEqual({ user_id: 'old-user-9', global_user_id: 'user-1001' });
  });

  it('re-sent events are ignored by insert_id (Amplitude de-duplicates retries)', async () => {
    amp.reset();
    const settings = parsed(amplitude, baseSettings());
    const prepared = prepareEvent(amplitude, specEvent({ type: 'track', event: 'Once' }), settings);
    if (prepared.kind !== 'prepared') throw new Error(prepared.message);
    const requests = buildRequests(amplitude, prepared.action, [prepared.payload], settings);
    await deliverAll(amplitude, requests);
    await deliverAll(amplitude, requests);
    expect(amp.events).toHaveLength(1);
    expect(amp.duplicatesIgnored).toBe(1);
  });

  it('a batch refused for one event: that event is rejected, the others retried', async () => {
    const settings = parsed(amplitude, baseSettings());
    const events = [
      specEvent({ type: 'track', messageId: 'm-1', event: 'A' }),
      // Amplitude refuses this id; the whole request is refused.
      specEvent({ type: 'track', messageId: 'm-2', event: 'B', userId: 'undefined', anonymousId: null }),
      specEvent({ type: 'track', messageId: 'm-3', event: 'C' }),
    ];
    const payloads = events.map((e) => {
      const prepared = prepareEvent(amplitude, e, settings);
      if (prepared.kind !== 'prepared') throw new Error(prepared.message);
      return prepared.payload;
    });
    const [request] = buildRequests(amplitude, 'logEvent', payloads, settings);
    if (!request) throw new Error('no request');
    const [result] = await deliverAll(amplitude, [request]);
    if (!result) throw new Error('no result');
    expect(result.response.status).toBe(400);
    expect(outcomesPerEvent(request, result.outcome, 3)).toEqual([
      expect.objectContaining({ kind: 'retry' }),
      expect.objectContaining({ kind: 'dead-letter', reason: 'REJECTED', message: expect.stringContaining('user_id') }),
      expect.objectContaining({ kind: 'retry' }),
    ]);
  });

  it('cuts event requests below 1 MB and 2000 events, so a batch is never refused whole as too large (413)', async () => {
    const settings = parsed(amplitude, baseSettings());
    const prepare = (event: Parameters<typeof specEvent>[0]) => {
      const prepared = prepareEvent(amplitude, specEvent(event), settings);
      if (prepared.kind !== 'prepared') throw new Error(prepared.message);
      return prepared.payload;
    };
    const note = 'x'.repeat(15_000);
    const large = Array.from({ length: 100 }, (_v, i) =>
      prepare({ type: 'track', messageId: `big-${i}`, event: 'Big', properties: { note } }),
    );
    // 100 orders of 25 products: 2600 events in all.
    const products = Array.from({ length: 25 }, (_v, i) => ({ product_id: `p${i}`, price: 1 }));
    const orders = Array.from({ length: 100 }, (_v, i) =>
      prepare({ type: 'track', messageId: `order-${i}`, event: 'Order Completed', properties: { products } }),
    );
    amp.reset();
    for (const [action, payloads, events] of [
      ['logEvent', large, 100],
      ['logPurchase', orders, 2600],
    ] as const) {
      const requests = buildRequests(amplitude, action, [...payloads], settings);
      expect(requests.length).toBeGreaterThan(1);
      for (const request of requests) expect(Buffer.byteLength(request.body ?? '')).toBeLessThan(1024 * 1024);
      const results = await deliverAll(amplitude, requests);
      expect(results.map((r) => r.outcome.kind)).toEqual(requests.map(() => 'delivered'));
      expect([...new Set(requests.flatMap((r) => r.itemEvents))]).toEqual(payloads.map((_p, i) => i));
      expect(amp.events.length).toBeGreaterThanOrEqual(events);
    }
    expect(amp.events).toHaveLength(2700);
  });

  it('429 pauses 30 s unless Retry-After says otherwise; a wrong key is rejected', async () => {
    const settings = parsed(amplitude, baseSettings());
    const prepared = prepareEvent(amplitude, specEvent({ type: 'track', event: 'x' }), settings);
    if (prepared.kind !== 'prepared') throw new Error(prepared.message);
    const requests = buildRequests(amplitude, prepared.action, [prepared.payload], settings);
    amp.failNext(1, { status: 429, body: { code: 429, error: 'Too many requests for some devices and users' } });
    amp.failNext(1, { status: 429, retryAfterSeconds: 3 });
    expect((await deliverAll(amplitude, requests))[0]?.outcome).toMatchObject({ kind: 'retry', retryAfterMs: 30_000 });
    expect((await deliverAll(amplitude, requests))[0]?.outcome).toMatchObject({ kind: 'retry', retryAfterMs: 3000 });

    const wrong = parsed(amplitude, { ...baseSettings(), apiKey: 'wrong' });
    const bad = buildRequests(amplitude, prepared.action, [prepared.payload], wrong);
    expect((await deliverAll(amplitude, bad))[0]?.outcome).toMatchObject({
      kind: 'dead-letter',
      reason: 'REJECTED',
      status: 400,
    });
  });
});
