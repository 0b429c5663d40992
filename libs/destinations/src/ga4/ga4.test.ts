import { catalogEntry, translateEvent } from '@manifold/destination-kit';
import { validateDefinition } from '@manifold/destination-kit/testing';
import { Ga4Emulator, ga4ReservedEventNames } from '@manifold/emulators';
import { ga4 } from './index';
import {
  deliverAll,
  NOW,
  parsed,
  runTranslationCases,
  specEvent,
  TIMESTAMP_MS,
  type TranslationCase,
} from '../test-support/harness';

const SECRET = 'ga-secret';
const MEASUREMENT_ID = 'G-TEST123';
const path = `/mp/collect?measurement_id=${MEASUREMENT_ID}&api_secret=${SECRET}`;
const who = { client_id: 'user-1001', user_id: 'user-1001', timestamp_micros: TIMESTAMP_MS * 1000 };

const products = [
  { product_id: 'p1', name: 'Shoe', price: 20, quantity: 1, brand: 'Acme', category: 'Shoes' },
  { product_id: 'p2', name: 'Sock', price: 5, quantity: 2 },
];
const items = [
  { item_id: 'p1', item_name: 'Shoe', price: 20, quantity: 1, item_brand: 'Acme', item_category: 'Shoes' },
  { item_id: 'p2', item_name: 'Sock', price: 5, quantity: 2 },
];

const one = (name: string, params: Record<string, unknown>) => ({
  ...who,
  events: [{ name, params: { ...params, engagement_time_msec: 1 } }],
});

const cases: TranslationCase[] = [
  {
    name: 'page → page_view with location, referrer and title; client_id = userId; µs timestamp',
    event: specEvent({ type: 'page', name: 'Cart' }),
    expect: {
      requests: [
        {
          method: 'POST',
          path,
          headers: { 'content-type': 'application/json' },
          json: one('page_view', {
            page_location: 'https://shop.example.com/cart',
            page_referrer: 'https://google.com/',
            page_title: 'Cart',
          }),
        },
      ],
    },
  },
  {
    name: 'Order Completed → purchase with transaction id, value, currency and items',
    event: specEvent({
      type: 'track',
      event: 'Order Completed',
      properties: { order_id: 'o-1', total: 30, tax: 2, shipping: 3, currency: 'eur', coupon: 'SPRING', products },
    }),
    expect: {
      requests: [
        {
          method: 'POST',
          path,
          json: one('purchase', {
            transaction_id: 'o-1',
            currency: 'EUR',
            value: 30,
            tax: 2,
            shipping: 3,
            coupon: 'SPRING',
            items,
          }),
        },
      ],
    },
  },
  {
    name: 'Order Refunded → refund; currency defaults to USD',
    event: specEvent({
      type: 'track',
      event: 'Order Refunded',
      properties: { order_id: 'o-1', revenue: 25, products },
    }),
    expect: {
      requests: [
        { method: 'POST', path, json: one('refund', { transaction_id: 'o-1', currency: 'USD', value: 25, items }) },
      ],
    },
  },
  {
    name: 'Product Added → add_to_cart with the product in the properties as the one item',
    event: specEvent({
      type: 'track',
      event: 'Product Added',
      properties: { product_id: 'p1', name: 'Shoe', price: 20, quantity: 1, currency: 'EUR' },
    }),
    expect: {
      requests: [
        {
          method: 'POST',
          path,
          json: one('add_to_cart', {
            currency: 'EUR',
            value: 20,
            items: [{ item_id: 'p1', item_name: 'Shoe', price: 20, quantity: 1 }],
          }),
        },
      ],
    },
  },
  {
    name: 'Payment Info Entered → add_payment_info with payment_type',
    event: specEvent({
      type: 'track',
      event: 'Payment Info Entered',
      properties: { payment_method: 'card', products },
    }),
    expect: { requests: [{ method: 'POST', path, json: one('add_payment_info', { payment_type: 'card', items }) }] },
  },
  {
    name: 'Products Searched → search',
    event: specEvent({ type: 'track', event: 'Products Searched', properties: { query: 'blue shoes' } }),
    expect: { requests: [{ method: 'POST', path, json: one('search', { search_term: 'blue shoes' }) }] },
  },
  {
    name: 'custom track: name normalised, properties as params, anonymous client id, user_id absent',
    event: specEvent({
      type: 'track',
      userId: null,
      event: '  Video   Played ',
      properties: { title: 'Intro', seconds: 30, live: false, empty: null },
    }),
    settings: { lowercaseEventNames: true },
    expect: {
      requests: [
        {
          method: 'POST',
          path,
          json: {
            ...one('video_played', { title: 'Intro', seconds: 30, live: false }),
            client_id: 'anon-4d2b9c',
            user_id: undefined,
          },
        },
      ],
    },
  },
  {
    name: 'a custom event name GA4 refuses is dropped with the reason',
    event: specEvent({ type: 'track', event: 'Video Played!' }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'must start with a letter' },
  },
  {
    name: 'a reserved event name is dropped',
    event: specEvent({ type: 'track', event: 'session_start' }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'reserved' },
  },
  {
    name: 'nested, list and reserved params: only they are flattened or left out, with notices; the rest is sent',
    event: specEvent({
      type: 'track',
      event: 'Clicked',
      properties: {
        label: 'Buy',
        target: { id: 'x', kind: 'button' },
        tags: ['a', 'b'],
        _private: 1,
        'first name': 'Ann',
        ga_session: 3,
        target_id: 'kept',
      },
    }),
    expect: {
      requests: [
        {
          method: 'POST',
          path,
          json: one('Clicked', { label: 'Buy', target_kind: 'button', target_id: 'kept' }),
        },
      ],
      notices: [
        { kind: 'converted', field: 'params.target', reason: 'object flattened into params' },
        { kind: 'dropped', field: 'params.target.id', reason: 'its flattened name target_id is taken' },
        { kind: 'dropped', field: 'params.tags', reason: 'a list: GA4 params take no lists' },
        { kind: 'dropped', field: 'params._private', reason: 'reserved name' },
        {
          kind: 'dropped',
          field: 'params.first name',
          reason: 'invalid name (a letter, then up to 39 letters, digits or underscores)',
        },
        { kind: 'dropped', field: 'params.ga_session', reason: 'reserved name' },
      ],
    },
  },
  {
    name: 'more than 25 params: the first ones are sent, the rest left out with a notice',
    event: specEvent({
      type: 'track',
      event: 'Big',
      properties: Object.fromEntries(Array.from({ length: 26 }, (_v, i) => [`p${i}`, i])),
    }),
    expect: {
      requests: [
        {
          method: 'POST',
          path,
          json: one('Big', Object.fromEntries(Array.from({ length: 24 }, (_v, i) => [`p${i}`, i]))),
        },
      ],
      notices: [
        { kind: 'dropped', field: 'params.p24', reason: 'more than 25 params' },
        { kind: 'dropped', field: 'params.p25', reason: 'more than 25 params' },
      ],
    },
  },
  {
    name: 'item fields of another type are converted: a numeric product_id to text, a string price to a number',
    event: specEvent({
      type: 'track',
      event: 'Product Added',
      properties: { product_id: 123, name: 'Shoe', price: '12.50', quantity: '2', sku: 'SKU-1', currency: 'eur' },
    }),
    expect: {
      requests: [
        {
          method: 'POST',
          path,
          json: one('add_to_cart', {
            currency: 'EUR',
            value: 12.5,
            items: [{ item_id: '123', item_name: 'Shoe', price: 12.5, quantity: 2, sku: 'SKU-1' }],
          }),
        },
      ],
      notices: [
        { kind: 'converted', field: 'value', reason: 'string to number' },
        { kind: 'converted', field: 'items[].item_id', reason: 'number to string' },
        { kind: 'converted', field: 'items[].price', reason: 'string to number' },
        { kind: 'converted', field: 'items[].quantity', reason: 'string to number' },
      ],
    },
  },
  {
    name: "a track's context traits become user properties within GA4's limits; personal data is never sent",
    event: specEvent({
      type: 'track',
      event: 'Clicked',
      context: {
        ...specEvent({ type: 'track' }).context,
        traits: {
          plan: 'pro',
          email: 'ann@example.com',
          logins: 5,
          vip: true,
          company: { name: 'Acme', employees: 50 },
          favorite_colors: ['red'],
          first_open_time: 1,
          a_very_long_trait_name_over_24: 'x',
          motto: 'The quick brown fox jumps over the lazy dog',
        },
      },
    }),
    expect: {
      requests: [
        {
          method: 'POST',
          path,
          json: {
            ...one('Clicked', {}),
            user_properties: {
              plan: { value: 'pro' },
              logins: { value: 5 },
              vip: { value: 'true' },
              company_name: { value: 'Acme' },
              company_employees: { value: 50 },
              motto: { value: 'The quick brown fox jumps over the l' },
            },
          },
        },
      ],
      notices: [
        { kind: 'dropped', field: 'user_properties.email', reason: 'personal data: GA4 must not receive it' },
        { kind: 'converted', field: 'user_properties.vip', reason: 'boolean to string' },
        { kind: 'converted', field: 'user_properties.company', reason: 'object flattened into user properties' },
        { kind: 'dropped', field: 'user_properties.favorite_colors', reason: 'a list, not a string' },
        { kind: 'dropped', field: 'user_properties.first_open_time', reason: 'reserved name' },
        {
          kind: 'dropped',
          field: 'user_properties.a_very_long_trait_name_over_24',
          reason: 'invalid name (a letter, then up to 23 letters, digits or underscores)',
        },
        { kind: 'converted', field: 'user_properties.motto', reason: 'cut to 36 characters' },
      ],
    },
  },
  {
    name: 'an emoji straddling a length limit is left out whole, never cut in half (param at 100, user property at 36)',
    event: specEvent({
      type: 'track',
      event: 'Reviewed',
      // 99 characters then 👍 (two UTF-16 units): the 100-unit limit falls inside the emoji.
      properties: { comment: `${'a'.repeat(99)}\u{1F44D}`, short: `${'b'.repeat(98)}\u{1F44D}` },
      context: {
        ...specEvent({ type: 'track' }).context,
        traits: { mood: `${'m'.repeat(35)}\u{1F600}` },
      },
    }),
    expect: {
      requests: [
        {
          method: 'POST',
          path,
          json: {
            ...one('Reviewed', { comment: 'a'.repeat(99), short: `${'b'.repeat(98)}\u{1F44D}` }),
            user_properties: { mood: { value: 'm'.repeat(35) } },
          },
        },
      ],
      notices: [
        { kind: 'converted', field: 'params.comment', reason: 'cut to 100 characters' },
        { kind: 'converted', field: 'user_properties.mood', reason: 'cut to 36 characters' },
      ],
    },
  },
  {
    name: 'identify → the traits as user properties, with one event named by identifyEventName',
    event: specEvent({ type: 'identify', traits: { email: 'ann@example.com', plan: 'pro', seats: 3 } }),
    expect: {
      requests: [
        {
          method: 'POST',
          path,
          json: { ...one('identify', {}), user_properties: { plan: { value: 'pro' }, seats: { value: 3 } } },
        },
      ],
      notices: [{ kind: 'dropped', field: 'user_properties.email', reason: 'personal data: GA4 must not receive it' }],
    },
  },
  {
    name: 'identify with no trait GA4 can take has nothing to send',
    event: specEvent({ type: 'identify', traits: { email: 'ann@example.com' } }),
    expect: { drop: 'NOTHING_TO_SEND', message: 'no trait can be a user property' },
  },
  {
    name: 'purchase without products is an invalid payload',
    event: specEvent({ type: 'track', event: 'Order Completed', properties: { order_id: 'o-1' } }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'items' },
  },
  {
    name: 'a product without id or name is refused',
    event: specEvent({ type: 'track', event: 'Product Viewed', properties: { price: 3 } }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'item_id or item_name' },
  },
  {
    name: 'an event more than 72 hours older than its receipt is dropped with the reason (GA4 would ignore it)',
    event: specEvent({
      type: 'track',
      event: 'Clicked',
      timestamp: '2026-05-29T11:59:00.000Z',
      receivedAt: '2026-06-01T11:59:00.120Z',
    }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'more than 72 hours' },
  },
  {
    name: 'an identify more than 72 hours older than its receipt is dropped too (its user properties travel with an event)',
    event: specEvent({
      type: 'identify',
      traits: { plan: 'pro' },
      timestamp: '2026-05-20T00:00:00.000Z',
      receivedAt: '2026-06-01T11:59:00.120Z',
    }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'more than 72 hours' },
  },
  {
    name: "a timestamp_micros property GA4 would ignore the event for is left out (the event's own time is sent)",
    event: specEvent({
      type: 'track',
      event: 'Clicked',
      properties: { label: 'Buy', timestamp_micros: TIMESTAMP_MS },
    }),
    expect: {
      requests: [{ method: 'POST', path, json: one('Clicked', { label: 'Buy' }) }],
      notices: [
        {
          kind: 'dropped',
          field: 'params.timestamp_micros',
          reason:
            'more than 72 hours before the event was received (is it in microseconds?): GA4 would ignore the event',
        },
      ],
    },
  },
  {
    name: 'a timestamp_micros property within 72 hours is sent, a numeric text as a number',
    event: specEvent({
      type: 'track',
      event: 'Clicked',
      properties: { timestamp_micros: String((TIMESTAMP_MS - 60_000) * 1000) },
    }),
    expect: {
      requests: [{ method: 'POST', path, json: one('Clicked', { timestamp_micros: (TIMESTAMP_MS - 60_000) * 1000 }) }],
      notices: [{ kind: 'converted', field: 'params.timestamp_micros', reason: 'string to number' }],
    },
  },
  {
    name: 'group is not a GA4 call',
    event: specEvent({ type: 'group', groupId: 'g' }),
    expect: { drop: 'UNSUPPORTED_EVENT_TYPE' },
  },
  {
    name: 'alias is not a GA4 call',
    event: specEvent({ type: 'alias', previousId: 'x' }),
    expect: { drop: 'UNSUPPORTED_EVENT_TYPE' },
  },
  {
    name: 'screen is not mapped',
    event: specEvent({ type: 'screen', name: 'Home' }),
    expect: { drop: 'UNSUPPORTED_EVENT_TYPE' },
  },
];

describe('Google Analytics 4', () => {
  let ga: Ga4Emulator;
  beforeAll(async () => {
    ga = await new Ga4Emulator({ apiSecret: SECRET, measurementId: MEASUREMENT_ID, now: () => NOW }).start();
  });
  afterAll(() => ga.close());
  beforeEach(() => ga.reset());
  afterEach(() => {
    // /mp/collect answers 204 to anything: acceptance is "no validation message".
    for (const collected of ga.collected) expect(collected.validationMessages).toEqual([]);
  });

  const baseSettings = () => ({ measurementId: MEASUREMENT_ID, apiSecret: SECRET, apiBaseUrl: ga.baseUrl });

  it('has a valid definition and catalog entry', () => {
    expect(validateDefinition(ga4)).toEqual([]);
    expect(catalogEntry(ga4)).toMatchObject({
      id: 'google-analytics-4',
      name: 'Google Analytics 4',
      secrets: { apiSecret: 'whole', apiBaseUrl: 'url' },
      supportedCallTypes: ['identify', 'track', 'page'],
      settingsSchema: { properties: { apiBaseUrl: { default: 'https://www.google-analytics.com' } } },
    });
  });

  it('needs exactly one of a measurement id and a Firebase app id', () => {
    expect(() => parsed(ga4, { apiSecret: SECRET })).toThrow('exactly one');
    expect(() => parsed(ga4, { apiSecret: SECRET, measurementId: 'G-A', firebaseAppId: '1:1:web:a' })).toThrow(
      'exactly one',
    );
  });

  runTranslationCases(ga4, cases, () => ({ baseSettings: baseSettings(), baseUrl: ga.baseUrl }));

  it('app streams send the app_instance_id with the Firebase app id unencoded', async () => {
    const app = await new Ga4Emulator({
      apiSecret: SECRET,
      firebaseAppId: '1:123:android:abc',
      now: () => NOW,
    }).start();
    try {
      const settings = parsed(ga4, { firebaseAppId: '1:123:android:abc', apiSecret: SECRET, apiBaseUrl: app.baseUrl });
      const instance = '0123456789abcdef0123456789abcdef';
      const translation = translateEvent(
        ga4,
        specEvent({
          type: 'track',
          event: 'Level Up',
          integrations: { 'Google Analytics 4': { app_instance_id: instance } },
        }),
        settings,
      );
      if (translation.kind !== 'requests') throw new Error(JSON.stringify(translation));
      expect(translation.requests[0]?.url).toBe(
        `${app.baseUrl}/mp/collect?firebase_app_id=1:123:android:abc&api_secret=${SECRET}`,
      );
      expect(JSON.parse(translation.requests[0]?.body ?? '')).toMatchObject({ app_instance_id: instance });
      expect((await deliverAll(ga4, translation.requests))[0]?.outcome.kind).toBe('delivered');
      expect(app.collected[0]?.validationMessages).toEqual([]);
      const missing = translateEvent(ga4, specEvent({ type: 'track', event: 'Level Up' }), settings);
      expect(missing).toMatchObject({
        kind: 'drop',
        reason: 'INVALID_PAYLOAD',
        message: 'GA4 app streams need an app_instance_id',
      });
    } finally {
      await app.close();
    }
  });

  it('drops, with the reason, every event name GA4 reserves on the stream, as the emulator has them from Google', () => {
    const instance = '0123456789abcdef0123456789abcdef';
    const streams = [
      ['web', baseSettings()],
      ['app', { firebaseAppId: '1:123:android:abc', apiSecret: SECRET, apiBaseUrl: ga.baseUrl }],
    ] as const;
    for (const [stream, raw] of streams) {
      const settings = parsed(ga4, raw);
      const reserved = ga4ReservedEventNames(stream);
      const translate = (name: string) =>
        translateEvent(
          ga4,
          specEvent({
            type: 'track',
            event: name,
            integrations: { 'Google Analytics 4': { app_instance_id: instance } },
          }),
          settings,
        );
      for (const name of reserved) {
        expect({ stream, name, translation: translate(name) }).toMatchObject({
          stream,
          name,
          translation: { kind: 'drop', reason: 'INVALID_PAYLOAD', message: `GA4 event name "${name}" is reserved` },
        });
      }
      // What one kind of stream reserves, the other may take.
      for (const name of ga4ReservedEventNames('web').filter((n) => !reserved.includes(n))) {
        expect({ stream, name, kind: translate(name).kind }).toEqual({ stream, name, kind: 'requests' });
      }
    }
  });

  it('keeps an event exactly 72 hours older than its receipt, drops one a millisecond older; no clock is read', () => {
    const settings = parsed(ga4, baseSettings());
    const at = (timestamp: string) =>
      translateEvent(
        ga4,
        specEvent({ type: 'track', event: 'x', timestamp, receivedAt: '2026-06-01T12:00:00.000Z' }),
        settings,
      );
    expect(at('2026-05-29T12:00:00.000Z').kind).toBe('requests');
    expect(at('2026-05-29T11:59:59.999Z')).toMatchObject({
      kind: 'drop',
      reason: 'INVALID_PAYLOAD',
      message:
        'GA4 ignores events more than 72 hours old: timestamp 2026-05-29T11:59:59.999Z is more than 72 hours before the event was received (2026-06-01T12:00:00.000Z)',
    });
    // An event from years ago, received years ago (a replay): judged by its own receipt, not today.
    expect(
      translateEvent(
        ga4,
        specEvent({
          type: 'track',
          event: 'x',
          timestamp: '2020-01-01T00:00:00.000Z',
          receivedAt: '2020-01-01T00:00:01.000Z',
        }),
        settings,
      ).kind,
    ).toBe('requests');
  });

  describe("GA4's 130 kB body limit", () => {
    const GA4_BODY_LIMIT = 130_000;
    const manyProducts = (count: number) =>
      Array.from({ length: count }, (_v, i) => ({
        product_id: `sku-${i}`,
        name: `Product number ${i} of a very large order`,
        price: 9.99,
        quantity: 1,
        url: `https://shop.example.com/products/${i}`,
      }));
    const order = (count: number, extra: Partial<Parameters<typeof specEvent>[0]> = {}) =>
      specEvent({
        type: 'track',
        event: 'Order Completed',
        properties: { order_id: 'o-big', total: 9.99 * count, products: manyProducts(count) },
        ...extra,
      });
    const bodyOf = (translation: ReturnType<typeof translateEvent>) => {
      if (translation.kind !== 'requests') throw new Error(JSON.stringify(translation));
      const raw = translation.requests[0]?.body ?? '';
      return { raw, json: JSON.parse(raw) as { user_id?: string; events: { params: { items: unknown[] } }[] } };
    };

    it('an order with very many items: the trailing items are left out, with a notice saying how many', async () => {
      const settings = parsed(ga4, baseSettings());
      const translation = translateEvent(ga4, order(2000), settings);
      const { raw, json } = bodyOf(translation);
      expect(Buffer.byteLength(raw)).toBeLessThan(GA4_BODY_LIMIT);
      const sent = json.events[0]?.params.items ?? [];
      expect(sent.length).toBeGreaterThan(100);
      expect(sent.length).toBeLessThan(2000);
      // The first items, in order, and as many as fit: one more would pass the limit.
      expect(sent).toEqual(
        manyProducts(sent.length).map((p) => ({
          item_id: p.product_id,
          item_name: p.name,
          price: p.price,
          quantity: p.quantity,
          url: p.url,
        })),
      );
      const [next] = manyProducts(sent.length + 1)
        .slice(sent.length)
        .map((p) => ({ item_id: p.product_id, item_name: p.name, price: p.price, quantity: p.quantity, url: p.url }));
      expect(Buffer.byteLength(raw) + 1 + JSON.stringify(next).length).toBeGreaterThanOrEqual(GA4_BODY_LIMIT);
      if (translation.kind !== 'requests') throw new Error('no requests');
      expect(translation.notices).toEqual([
        {
          kind: 'dropped',
          field: 'params.items',
          reason: `${2000 - sent.length} of 2000 items left out (the last ones): the body would pass GA4's 130 kB limit`,
        },
      ]);
      expect((await deliverAll(ga4, translation.requests))[0]?.outcome.kind).toBe('delivered');
      expect(ga.collected[0]?.validationMessages).toEqual([]);
    });

    it('an order that fits is sent whole, without a notice', () => {
      const settings = parsed(ga4, baseSettings());
      const translation = translateEvent(ga4, order(300), settings);
      expect(bodyOf(translation).json.events[0]?.params.items).toHaveLength(300);
      expect(translation).toMatchObject({ notices: [] });
    });

    it('with the items at one and still too big, the largest optional part goes next (here user_id)', async () => {
      const settings = parsed(ga4, baseSettings());
      // client_id and user_id are both the userId: 70,000 characters twice pass the limit, once does not.
      const long = 'u'.repeat(70_000);
      const translation = translateEvent(ga4, order(1, { userId: long }), settings);
      const { raw, json } = bodyOf(translation);
      expect(Buffer.byteLength(raw)).toBeLessThan(GA4_BODY_LIMIT);
      expect(json).toMatchObject({ client_id: long });
      expect(json.user_id).toBeUndefined();
      expect(translation).toMatchObject({
        notices: [{ kind: 'dropped', field: 'user_id', reason: "the body would pass GA4's 130 kB limit" }],
      });
      if (translation.kind !== 'requests') throw new Error('no requests');
      expect((await deliverAll(ga4, translation.requests))[0]?.outcome.kind).toBe('delivered');
    });

    it('an event that cannot be brought under the limit is dropped with the reason', () => {
      const settings = parsed(ga4, baseSettings());
      const translation = translateEvent(ga4, order(1, { userId: 'u'.repeat(140_000) }), settings);
      expect(translation).toMatchObject({
        kind: 'drop',
        reason: 'INVALID_PAYLOAD',
        message: expect.stringContaining('GA4 ignores bodies of 130 kB or more') as unknown as string,
      });
    });
  });

  it('the emulator catches a translation GA would silently drop (milliseconds as timestamp_micros)', async () => {
    const settings = parsed(ga4, baseSettings());
    const translation = translateEvent(ga4, specEvent({ type: 'track', event: 'x' }), settings);
    if (translation.kind !== 'requests') throw new Error('no requests');
    const request = translation.requests[0];
    if (!request) throw new Error('no request');
    const body = JSON.parse(request.body ?? '') as { timestamp_micros: number };
    const broken = { ...request, body: JSON.stringify({ ...body, timestamp_micros: body.timestamp_micros / 1000 }) };
    const [result] = await deliverAll(ga4, [broken]);
    expect(result?.response.status).toBe(204);
    expect(ga.collected[0]?.validationMessages.map((m) => m.validationCode)).toEqual(['VALUE_OUT_OF_BOUNDS']);
    ga.reset();
  });
});
