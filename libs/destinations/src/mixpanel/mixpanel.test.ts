import { buildRequests, catalogEntry, outcomesPerEvent, prepareEvent, translateEvent } from '@manifold/destination-kit';
import { validateDefinition } from '@manifold/destination-kit/testing';
import { MixpanelEmulator } from '@manifold/emulators';
import { mixpanel, mixpanelInsertId } from './index';
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

const TOKEN = 'mp-token-1';
const SECRET = 'mp-secret-1';
const auth = `Basic ${Buffer.from(`${SECRET}:`).toString('base64')}`;

/** The properties every event built from `specEvent` carries (browser context). */
const common = {
  time: TIMESTAMP_MS,
  distinct_id: 'user-1001',
  $device_id: 'anon-4d2b9c',
  $user_id: 'user-1001',
  ip: '203.0.113.7',
  $current_url: 'https://shop.example.com/cart',
  $referrer: 'https://google.com/',
  // From `specEvent`'s user agent (Chrome on a Linux desktop).
  $browser: 'Chrome',
  $browser_version: '130.0',
  $os: 'Linux',
  $locale: 'en-US',
  timezone: 'Europe/Paris',
  $lib_version: 'next-1.84.1',
  mp_lib: 'Manifold: analytics.js',
  $source: 'manifold',
};

const order = specEvent({
  type: 'track',
  messageId: 'msg-order-1',
  event: 'Order Completed',
  properties: {
    order_id: 'o-1',
    total: 30,
    revenue: 25,
    currency: 'EUR',
    coupon: 'SPRING',
    products: [
      { product_id: 'p1', name: 'Shoe', price: 20, quantity: 1 },
      { product_id: 'p2', name: 'Sock', price: 5, quantity: 2 },
    ],
  },
});

const cases: TranslationCase[] = [
  {
    name: 'track → /import with Segment property layout; a long messageId becomes a valid $insert_id',
    event: specEvent({
      type: 'track',
      event: 'Signed Up',
      properties: { plan: 'pro', time: 'overridden', distinct_id: 'nope', seats: 3 },
      context: {
        ...specEvent({ type: 'track' }).context,
        campaign: { source: 'newsletter', medium: 'email', name: 'spring' },
        os: { name: 'Linux' },
        screen: { width: 1920, height: 'bad' },
        groupId: 'g-7',
      },
    }),
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/import?strict=1',
          headers: { authorization: auth, 'content-type': 'application/json' },
          json: [
            {
              event: 'Signed Up',
              properties: {
                ...common,
                $insert_id: mixpanelInsertId('ajs-next-1780314000000-6f0c3b1e-7d4a-4c4e-9a57-0e1c2d3f4a5b'),
                $group_id: 'g-7',
                $os: 'Linux',
                $screen_width: 1920,
                utm_source: 'newsletter',
                utm_medium: 'email',
                utm_campaign: 'spring',
                plan: 'pro',
                seats: 3,
              },
            },
          ],
        },
      ],
      // The unreadable screen height alone is left out, and said so.
      notices: [{ kind: 'dropped', field: 'screen_height', reason: 'not a number' }],
    },
  },
  {
    name: 'properties beyond Mixpanel nesting limits: the too-deep object and the list tail alone are left out',
    event: specEvent({
      type: 'track',
      messageId: 'm-deep',
      event: 'Shipped',
      properties: {
        order: { shipping: { address: { city: 'Paris' }, method: 'post' } },
        tags: Array.from({ length: 300 }, (_v, i) => i),
        plan: 'pro',
      },
    }),
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/import?strict=1',
          json: [
            {
              event: 'Shipped',
              properties: {
                ...common,
                $insert_id: 'm-deep',
                order: { shipping: { method: 'post' } },
                tags: Array.from({ length: 254 }, (_v, i) => i),
                plan: 'pro',
              },
            },
          ],
        },
      ],
      notices: [
        {
          kind: 'dropped',
          field: 'properties.order.shipping.address',
          reason: "object nested deeper than Mixpanel's 3 levels",
        },
        { kind: 'converted', field: 'properties.tags', reason: 'cut to 254 items' },
      ],
    },
  },
  {
    name: 'an event of 300 properties keeps Mixpanel own and the first ones up to 254, the rest left out with notices',
    event: specEvent({
      type: 'track',
      messageId: 'm-wide',
      event: 'Wide',
      properties: Object.fromEntries(Array.from({ length: 300 }, (_v, i) => [`p${i}`, i])),
    }),
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/import?strict=1',
          json: [
            {
              event: 'Wide',
              properties: {
                ...common,
                $insert_id: 'm-wide',
                ...Object.fromEntries(
                  Array.from({ length: 254 - Object.keys(common).length - 1 }, (_v, i) => [`p${i}`, i]),
                ),
              },
            },
          ],
        },
      ],
      notices: Array.from({ length: 300 - (254 - Object.keys(common).length - 1) }, (_v, i) => ({
        kind: 'dropped' as const,
        field: `properties.p${254 - Object.keys(common).length - 1 + i}`,
        reason: 'more than 254 properties in one event',
      })).slice(0, 100),
    },
  },
  {
    name: 'anonymous track: distinct_id is the anonymousId; the token authenticates without a secret',
    event: specEvent({ type: 'track', messageId: 'm-2', event: 'Clicked', userId: null, properties: {} }),
    settings: { apiSecret: undefined },
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/import?strict=1',
          headers: { authorization: `Basic ${Buffer.from(`${TOKEN}:`).toString('base64')}` },
          json: [
            {
              event: 'Clicked',
              properties: { ...common, distinct_id: 'anon-4d2b9c', $user_id: undefined, $insert_id: 'm-2' },
            },
          ].map((e) => ({ ...e, properties: JSON.parse(JSON.stringify(e.properties)) as unknown })),
        },
      ],
    },
  },
  {
    name: 'Order Completed → the order plus one "Product Purchased" per product',
    event: order,
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/import?strict=1',
          json: [
            { event: 'Order Completed', properties: { ...common, $insert_id: 'msg-order-1', ...order.properties } },
            {
              event: 'Product Purchased',
              properties: {
                ...common,
                order_id: 'o-1',
                product_id: 'p1',
                name: 'Shoe',
                price: 20,
                quantity: 1,
                time: TIMESTAMP_MS - 1,
                $insert_id: mixpanelInsertId('msg-order-1-product-0'),
              },
            },
            {
              event: 'Product Purchased',
              properties: {
                ...common,
                order_id: 'o-1',
                product_id: 'p2',
                name: 'Sock',
                price: 5,
                quantity: 2,
                time: TIMESTAMP_MS - 2,
                $insert_id: mixpanelInsertId('msg-order-1-product-1'),
              },
            },
          ],
        },
      ],
    },
  },
  {
    name: 'page → "Viewed <name>"',
    event: specEvent({ type: 'page', messageId: 'm-3', name: 'Pricing', properties: { path: '/pricing' } }),
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/import?strict=1',
          json: [{ event: 'Viewed Pricing', properties: { ...common, $insert_id: 'm-3', path: '/pricing' } }],
        },
      ],
    },
  },
  {
    name: 'a desktop browser: $browser, $browser_version, $os and $os_version from the user agent, no $device',
    event: specEvent({
      type: 'track',
      messageId: 'm-ua-1',
      event: 'Clicked',
      properties: {},
      context: { ...specEvent({ type: 'track' }).context, userAgent: USER_AGENTS.desktopChrome },
    }),
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/import?strict=1',
          json: [
            {
              event: 'Clicked',
              properties: {
                ...common,
                $insert_id: 'm-ua-1',
                $browser: 'Chrome',
                $browser_version: '131.0.0.0',
                $os: 'Windows',
                $os_version: '10',
              },
            },
          ],
        },
      ],
    },
  },
  {
    name: 'an Android phone browser: OS, $device, $model and $manufacturer from the user agent',
    event: specEvent({
      type: 'page',
      messageId: 'm-ua-2',
      name: 'Home',
      context: { ...specEvent({ type: 'page' }).context, userAgent: USER_AGENTS.androidChrome },
    }),
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/import?strict=1',
          json: [
            {
              event: 'Viewed Home',
              properties: {
                ...common,
                $insert_id: 'm-ua-2',
                $browser: 'Chrome',
                $browser_version: '131.0.6778.81',
                $os: 'Android',
                $os_version: '14',
                $device: 'Pixel 8',
                $model: 'Pixel 8',
                $manufacturer: 'Google',
              },
            },
          ],
        },
      ],
    },
  },
  {
    name: "a mobile app's own OS and device win over its HTTP client's user agent",
    event: specEvent({
      type: 'screen',
      messageId: 'm-ua-3',
      name: 'Feed',
      context: {
        library: { name: 'analytics-ios', version: '4.1.8' },
        userAgent: 'okhttp/4.12.0',
        os: { name: 'iOS', version: '17.1' },
        device: { type: 'ios', model: 'iPhone15,2', manufacturer: 'Apple' },
      },
    }),
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/import?strict=1',
          json: [
            {
              event: 'Viewed Feed',
              properties: {
                time: TIMESTAMP_MS,
                distinct_id: 'user-1001',
                $device_id: 'anon-4d2b9c',
                $user_id: 'user-1001',
                $insert_id: 'm-ua-3',
                $os: 'iOS',
                $os_version: '17.1',
                $model: 'iPhone15,2',
                $manufacturer: 'Apple',
                $device: 'ios',
                $lib_version: '4.1.8',
                mp_lib: 'Manifold: analytics-ios',
                $source: 'manifold',
              },
            },
          ],
        },
      ],
    },
  },
  {
    name: 'screen without a name → "Loaded a Screen", strict off',
    event: specEvent({ type: 'screen', messageId: 'm-4' }),
    settings: { strictMode: false },
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/import?strict=0',
          json: [{ event: 'Loaded a Screen', properties: { ...common, $insert_id: 'm-4' } }],
        },
      ],
    },
  },
  {
    name: 'identify → $identify on /track, then $set with renamed traits on /engage',
    event: specEvent({
      type: 'identify',
      traits: { email: 'ann@example.com', firstName: 'Ann', lastName: 'Lee', createdAt: '2025-01-01', plan: 'pro' },
    }),
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/track?verbose=1',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          form: {
            data: {
              event: '$identify',
              properties: { $identified_id: 'user-1001', $anon_id: 'anon-4d2b9c', token: TOKEN },
            },
          },
        },
        {
          method: 'POST',
          path: '/engage?verbose=1',
          form: {
            data: {
              $token: TOKEN,
              $distinct_id: 'user-1001',
              $ip: '203.0.113.7',
              $set: {
                $email: 'ann@example.com',
                $first_name: 'Ann',
                $last_name: 'Lee',
                $created: '2025-01-01',
                plan: 'pro',
                $name: 'Ann Lee',
              },
            },
          },
        },
      ],
    },
  },
  {
    name: 'identify of a known user without an anonymousId or IP → only /engage, not geolocated',
    event: specEvent({ type: 'identify', anonymousId: null, context: {}, traits: { name: 'Ann' } }),
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/engage?verbose=1&ip=0',
          form: { data: { $token: TOKEN, $distinct_id: 'user-1001', $set: { $name: 'Ann' } } },
        },
      ],
    },
  },
  {
    name: 'identify with nothing to merge or set is dropped with a reason',
    event: specEvent({ type: 'identify', anonymousId: null, traits: {} }),
    expect: { drop: 'NOTHING_TO_SEND' },
  },
  {
    name: 'group → /groups with the group key and renamed traits',
    event: specEvent({ type: 'group', groupId: 'g-1', traits: { name: 'Acme', employees: 50 } }),
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/groups?verbose=1',
          form: {
            data: { $token: TOKEN, $group_key: '$group_id', $group_id: 'g-1', $set: { $name: 'Acme', employees: 50 } },
          },
        },
      ],
    },
  },
  {
    name: 'group with a custom key takes the id from that trait',
    event: specEvent({ type: 'group', groupId: 'g-1', traits: { company_id: 'c-9', name: 'Acme' } }),
    settings: { groupKey: 'company_id' },
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/groups?verbose=1',
          form: {
            data: {
              $token: TOKEN,
              $group_key: 'company_id',
              $group_id: 'c-9',
              $set: { company_id: 'c-9', $name: 'Acme' },
            },
          },
        },
      ],
    },
  },
  {
    name: 'group without a groupId is an invalid payload',
    event: specEvent({ type: 'group', traits: { name: 'Acme' } }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'group_id' },
  },
  {
    name: 'alias → $create_alias on /track',
    event: specEvent({ type: 'alias', previousId: 'anon-4d2b9c' }),
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/track?verbose=1',
          form: {
            data: {
              event: '$create_alias',
              properties: { distinct_id: 'anon-4d2b9c', alias: 'user-1001', token: TOKEN },
            },
          },
        },
      ],
    },
  },
];

describe('Mixpanel', () => {
  let mp: MixpanelEmulator;
  beforeAll(async () => {
    mp = await new MixpanelEmulator({ projectToken: TOKEN, apiSecret: SECRET, now: () => NOW }).start();
  });
  afterAll(() => mp.close());

  const baseSettings = () => ({ projectToken: TOKEN, apiSecret: SECRET, apiBaseUrl: mp.baseUrl });

  it('has a valid definition and catalog entry, with the real host as default', () => {
    expect(validateDefinition(mixpanel)).toEqual([]);
    const entry = catalogEntry(mixpanel);
    expect(entry).toMatchObject({
      id: 'mixpanel',
      name: 'Mixpanel',
      secrets: { apiSecret: 'whole', apiBaseUrl: 'url' },
      supportedCallTypes: ['identify', 'track', 'page', 'screen', 'group', 'alias'],
    });
    const settings = parsed(mixpanel, { projectToken: TOKEN });
    const translation = translateEvent(mixpanel, specEvent({ type: 'track', event: 'x' }), settings);
    expect(translation.kind === 'requests' && translation.requests[0]?.url).toBe(
      'https://api.mixpanel.com/import?strict=1',
    );
  });

  runTranslationCases(mixpanel, cases, () => ({ baseSettings: baseSettings(), baseUrl: mp.baseUrl }));

  it('keeps valid $insert_ids and derives stable ones from others', () => {
    expect(mixpanelInsertId('msg-1')).toBe('msg-1');
    const derived = mixpanelInsertId('ajs-next-1780314000000-6f0c3b1e-7d4a-4c4e-9a57-0e1c2d3f4a5b');
    expect(derived).toMatch(/^[0-9a-f]{32}$/);
    expect(mixpanelInsertId('ajs-next-1780314000000-6f0c3b1e-7d4a-4c4e-9a57-0e1c2d3f4a5b')).toBe(derived);
  });

  it('batches events into one /import request and maps a partial 400 back to the failing event', async () => {
    const settings = parsed(mixpanel, baseSettings());
    const events = [
      specEvent({ type: 'track', messageId: 'b-1', event: 'A' }),
      order,
      // The real API refuses this distinct_id; the other events are still imported.
      specEvent({ type: 'track', messageId: 'b-3', event: 'C', userId: 'undefined' }),
    ];
    const payloads = events.map((e) => {
      const prepared = prepareEvent(mixpanel, e, settings);
      if (prepared.kind !== 'prepared') throw new Error(prepared.message);
      return prepared;
    });
    expect(payloads.map((p) => p.batchKey)).toEqual(['trackEvent:', 'trackPurchase:', 'trackEvent:']);
    const requests = buildRequests(
      mixpanel,
      'trackEvent',
      [payloads[0], payloads[2]].map((p) => p?.payload ?? {}),
      settings,
    );
    expect(requests).toHaveLength(1);
    expect(requests[0]?.itemEvents).toEqual([0, 1]);
    mp.reset();
    const [request] = requests;
    const [result] = await deliverAll(mixpanel, requests);
    if (!request || !result) throw new Error('no request');
    expect(result.response.status).toBe(400);
    const outcomes = outcomesPerEvent(request, result.outcome, 2);
    expect(outcomes.map((o) => o.kind)).toEqual(['delivered', 'dead-letter']);
    expect(outcomes[1]).toMatchObject({ reason: 'REJECTED', message: expect.stringContaining('distinct_id') });
    expect(mp.events.map((e) => e.event)).toEqual(['A']);
  });

  it('cuts /import requests below 10 MB, so a batch of large events is not refused whole (413)', async () => {
    const settings = parsed(mixpanel, baseSettings());
    const note = 'x'.repeat(12_000);
    const payloads = Array.from({ length: 1000 }, (_v, i) => {
      const prepared = prepareEvent(
        mixpanel,
        specEvent({ type: 'track', messageId: `big-${i}`, event: 'Big', properties: { note } }),
        settings,
      );
      if (prepared.kind !== 'prepared') throw new Error(prepared.message);
      return prepared.payload;
    });
    const requests = buildRequests(mixpanel, 'trackEvent', payloads, settings);
    expect(requests.length).toBeGreaterThan(1);
    for (const request of requests) expect(Buffer.byteLength(request.body ?? '')).toBeLessThan(10 * 1024 * 1024);
    expect(requests.flatMap((r) => r.itemEvents)).toEqual(payloads.map((_p, i) => i));
    mp.reset();
    const results = await deliverAll(mixpanel, requests);
    expect(results.map((r) => r.outcome.kind)).toEqual(requests.map(() => 'delivered'));
    expect(mp.events).toHaveLength(1000);
  });

  it('reads an error inside a 200 from /engage as a rejection, and retries 429 and 5xx', async () => {
    const settings = parsed(mixpanel, { ...baseSettings(), projectToken: 'wrong-token' });
    const translation = translateEvent(mixpanel, specEvent({ type: 'identify', traits: { plan: 'pro' } }), settings);
    if (translation.kind !== 'requests') throw new Error('no requests');
    const results = await deliverAll(mixpanel, translation.requests);
    expect(results.map((r) => r.response.status)).toEqual([200, 200]);
    expect(results.map((r) => r.outcome)).toEqual([
      expect.objectContaining({ kind: 'dead-letter', reason: 'REJECTED', message: expect.stringContaining('token') }),
      expect.objectContaining({ kind: 'dead-letter', reason: 'REJECTED', message: expect.stringContaining('$token') }),
    ]);

    const good = translateEvent(mixpanel, specEvent({ type: 'track', event: 'x' }), parsed(mixpanel, baseSettings()));
    if (good.kind !== 'requests') throw new Error('no requests');
    mp.failNext(1, {
      status: 429,
      retryAfterSeconds: 5,
      body: { code: 429, error: 'Project exceeded rate limits.', status: 'Too Many Requests' },
    });
    mp.failNext(1, { status: 502 });
    expect((await deliverAll(mixpanel, good.requests))[0]?.outcome).toMatchObject({
      kind: 'retry',
      retryAfterMs: 5000,
    });
    expect((await deliverAll(mixpanel, good.requests))[0]?.outcome).toMatchObject({ kind: 'retry', status: 502 });
    expect((await deliverAll(mixpanel, good.requests))[0]?.outcome.kind).toBe('delivered');
  });

  it('a wrong API secret is a permanent failure', async () => {
    const settings = parsed(mixpanel, { ...baseSettings(), apiSecret: 'wrong' });
    const translation = translateEvent(mixpanel, specEvent({ type: 'track', event: 'x' }), settings);
    if (translation.kind !== 'requests') throw new Error('no requests');
    const [result] = await deliverAll(mixpanel, translation.requests);
    expect(result?.outcome).toMatchObject({ kind: 'dead-letter', reason: 'REJECTED', status: 401 });
  });
});
