import { createHash } from 'node:crypto';
import { buildRequests, catalogEntry, outcomesPerEvent } from '@manifold/destination-kit';
import { validateDefinition } from '@manifold/destination-kit/testing';
import { MetaEmulator } from '@manifold/emulators';
import { meta } from './index';
import {
  deliverAll,
  expectRequests,
  NOW,
  parsed,
  prepareAll,
  runTranslationCases,
  specEvent,
  TIMESTAMP_MS,
  type TranslationCase,
} from '../test-support/harness';
import { requestsOf, unsupportedCases } from '../test-support/cases';

const TOKEN = 'EAAB-meta-token';
const PIXEL = '123456789012345';
/** SHA-256 hex, computed here independently of the destination's code. */
const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const EVENT_TIME = TIMESTAMP_MS / 1000;
const MESSAGE_ID = 'ajs-next-1780314000000-6f0c3b1e-7d4a-4c4e-9a57-0e1c2d3f4a5b';
const UA = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36';
const PAGE = 'https://shop.example.com/cart';

/** user_data of the default event: the userId hashed, IP and user agent as they are. */
const USER = { external_id: sha('user-1001'), client_ip_address: '203.0.113.7', client_user_agent: UA };

const events = (...data: Record<string, unknown>[]) => ({
  method: 'POST',
  path: `/v24.0/${PIXEL}/events`,
  headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
  json: { data },
});
const serverEvent = (fields: Record<string, unknown>) => ({
  event_time: EVENT_TIME,
  event_id: MESSAGE_ID,
  action_source: 'website',
  event_source_url: PAGE,
  user_data: USER,
  ...fields,
});

const withTraits = (traits: Record<string, unknown>) => ({ ...specEvent({ type: 'track' }).context, traits });

const cases: TranslationCase[] = [
  {
    name: 'Order Completed → Purchase: value, currency, contents; user data normalised and hashed as Meta specifies',
    event: specEvent({
      type: 'track',
      event: 'Order Completed',
      context: withTraits({
        email: '  John_Smith@Gmail.com ',
        phone: '+1 (650) 555-1212',
        firstName: 'Mary',
        lastName: 'Valéry',
        birthday: '1997-02-16',
        gender: 'Female',
        address: { city: 'New York', state: 'California', postalCode: '94107-1234', country: 'US' },
      }),
      properties: {
        order_id: 'o-1',
        revenue: 27,
        currency: 'eur',
        coupon: 'SPRING',
        products: [
          { product_id: 'sku-1', price: 9, quantity: 2, name: 'Mug' },
          { sku: 'sku-2', price: '9' },
        ],
      },
    }),
    expect: {
      requests: [
        events(
          serverEvent({
            event_name: 'Purchase',
            user_data: {
              // Meta's published examples: john_smith@gmail.com, 16505551212, mary, valéry, us, 19970216.
              em: '62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f',
              ph: 'e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176',
              fn: '6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec',
              ln: '08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c',
              ge: sha('f'),
              db: '01acdbf6ec7b4f478a225f1a246e5d6767eeab1a7ffa17f025265b5b94f40f0c',
              ct: sha('newyork'),
              st: sha('ca'),
              zp: sha('94107'),
              country: '79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621',
              ...USER,
            },
            custom_data: {
              order_id: 'o-1',
              revenue: 27,
              currency: 'EUR',
              coupon: 'SPRING',
              products: [
                { product_id: 'sku-1', price: 9, quantity: 2, name: 'Mug' },
                { sku: 'sku-2', price: '9' },
              ],
              value: 27,
              contents: [
                { id: 'sku-1', quantity: 2, item_price: 9 },
                { id: 'sku-2', quantity: 1, item_price: 9 },
              ],
              content_ids: ['sku-1', 'sku-2'],
              content_type: 'product',
              num_items: 3,
            },
          }),
        ),
      ],
      notices: [{ kind: 'converted', field: 'custom_data.contents[].item_price', reason: 'string to number' }],
    },
  },
  {
    name: 'Order Completed without currency: USD (the Spec default); revenue given as text converted',
    event: specEvent({ type: 'track', event: 'Order Completed', properties: { total: '12.50' } }),
    expect: {
      requests: [
        events(
          serverEvent({
            event_name: 'Purchase',
            custom_data: { total: '12.50', value: 12.5, currency: 'USD' },
          }),
        ),
      ],
      notices: [{ kind: 'converted', field: 'custom_data.value', reason: 'string to number' }],
    },
  },
  {
    name: 'Order Completed without revenue or total is dropped: Meta requires a Purchase value',
    event: specEvent({ type: 'track', event: 'Order Completed', properties: { order_id: 'o-9' } }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'custom_data.value' },
  },
  {
    name: 'Order Completed with a currency that is not ISO 4217 is dropped, naming the field',
    event: specEvent({ type: 'track', event: 'Order Completed', properties: { revenue: 5, currency: 'euros' } }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'custom_data.currency' },
  },
  {
    name: 'Checkout Started → InitiateCheckout with the cart',
    event: specEvent({
      type: 'track',
      event: 'Checkout Started',
      properties: { revenue: 30, currency: 'USD', products: [{ product_id: 'p-1', quantity: 3, price: 10 }] },
    }),
    expect: {
      requests: [
        events(
          serverEvent({
            event_name: 'InitiateCheckout',
            custom_data: {
              revenue: 30,
              currency: 'USD',
              products: [{ product_id: 'p-1', quantity: 3, price: 10 }],
              value: 30,
              contents: [{ id: 'p-1', quantity: 3, item_price: 10 }],
              content_ids: ['p-1'],
              content_type: 'product',
              num_items: 3,
            },
          }),
        ),
      ],
    },
  },
  {
    name: 'Product Added → AddToCart: the event is the product; a price sent as text converted',
    event: specEvent({
      type: 'track',
      event: 'Product Added',
      properties: { product_id: 'p-7', name: 'Lamp', category: 'Home', price: '19.99', quantity: 1, currency: 'GBP' },
    }),
    expect: {
      requests: [
        events(
          serverEvent({
            event_name: 'AddToCart',
            custom_data: {
              product_id: 'p-7',
              name: 'Lamp',
              category: 'Home',
              price: '19.99',
              quantity: 1,
              currency: 'GBP',
              value: 19.99,
              content_name: 'Lamp',
              content_category: 'Home',
              contents: [{ id: 'p-7', quantity: 1, item_price: 19.99 }],
              content_ids: ['p-7'],
              content_type: 'product',
              num_items: 1,
            },
          }),
        ),
      ],
      notices: [
        { kind: 'converted', field: 'custom_data.contents[].item_price', reason: 'string to number' },
        { kind: 'converted', field: 'custom_data.value', reason: 'string to number' },
      ],
    },
  },
  {
    name: 'Product Viewed → ViewContent; fbc and fbp from the properties sent raw, not in custom_data',
    event: specEvent({
      type: 'track',
      event: 'Product Viewed',
      properties: { sku: 'SKU-9', price: 5, fbc: 'fb.1.1780314000000.AbCdEf', fbp: 'fb.1.1780314000000.123456' },
    }),
    expect: {
      requests: [
        events(
          serverEvent({
            event_name: 'ViewContent',
            user_data: { ...USER, fbc: 'fb.1.1780314000000.AbCdEf', fbp: 'fb.1.1780314000000.123456' },
            custom_data: {
              sku: 'SKU-9',
              price: 5,
              value: 5,
              contents: [{ id: 'SKU-9', quantity: 1, item_price: 5 }],
              content_ids: ['SKU-9'],
              content_type: 'product',
              num_items: 1,
            },
          }),
        ),
      ],
    },
  },
  {
    name: 'Products Searched → Search with the query as search_string',
    event: specEvent({ type: 'track', event: 'Products Searched', properties: { query: 'blue lamp' } }),
    expect: {
      requests: [
        events(
          serverEvent({
            event_name: 'Search',
            custom_data: { query: 'blue lamp', search_string: 'blue lamp' },
          }),
        ),
      ],
    },
  },
  {
    name: 'page → PageView with the page properties; test event code from the settings',
    event: specEvent({ type: 'page', name: 'Cart', properties: { path: '/cart', title: 'Cart' } }),
    settings: { testEventCode: 'TEST4321' },
    expect: {
      requests: [
        {
          ...events(serverEvent({ event_name: 'PageView', custom_data: { path: '/cart', title: 'Cart' } })),
          json: {
            data: [serverEvent({ event_name: 'PageView', custom_data: { path: '/cart', title: 'Cart' } })],
            test_event_code: 'TEST4321',
          },
        },
      ],
    },
  },
  {
    name: 'another track → a custom event of the same name, every property in custom_data',
    event: specEvent({
      type: 'track',
      event: 'Trial Started',
      properties: { plan: 'pro', seats: 3, tags: ['a', 'b'], meta: { source: 'ad' } },
    }),
    expect: {
      requests: [
        events(
          serverEvent({
            event_name: 'Trial Started',
            custom_data: { plan: 'pro', seats: 3, tags: ['a', 'b'], meta: { source: 'ad' } },
          }),
        ),
      ],
    },
  },
  {
    name: 'values already hashed are sent as they are (never hashed twice), lists of emails hashed each',
    event: specEvent({
      type: 'track',
      event: 'Lead',
      anonymousId: 'anon-1',
      userId: null,
      context: withTraits({
        email: ['ann@example.com', ' ANN@example.com', 'bob@example.com'],
        phone: sha('33123456789').toUpperCase(),
      }),
    }),
    expect: {
      requests: [
        events(
          serverEvent({
            event_name: 'Lead',
            user_data: {
              em: [sha('ann@example.com'), sha('bob@example.com')],
              ph: sha('33123456789'),
              ...USER,
              external_id: sha('anon-1'),
            },
          }),
        ),
      ],
    },
  },
  {
    name: 'bad values: only the fields Meta cannot take are left out, with notices (numbers converted)',
    event: specEvent({
      type: 'track',
      event: 'Signed Up',
      context: withTraits({
        email: 'not-an-email',
        phone: 33123456789,
        gender: 'non-binary',
        birthday: 'soon',
        address: { country: 'Atlantis', postalCode: 75001, state: 'Île-de-France' },
      }),
    }),
    expect: {
      requests: [
        events(
          serverEvent({
            event_name: 'Signed Up',
            user_data: { ph: sha('33123456789'), st: sha('îledefrance'), zp: sha('75001'), ...USER },
          }),
        ),
      ],
      notices: [
        { kind: 'dropped', field: 'user_data.em', reason: 'not an email address' },
        { kind: 'converted', field: 'user_data.ph', reason: 'number to string' },
        { kind: 'dropped', field: 'user_data.ge', reason: 'not a gender Meta takes (f, m)' },
        { kind: 'dropped', field: 'user_data.db', reason: 'not a date (YYYY-MM-DD)' },
        { kind: 'converted', field: 'user_data.zp', reason: 'number to string' },
        { kind: 'dropped', field: 'user_data.country', reason: 'not a country code or English country name' },
      ],
    },
  },
  {
    name: 'a country name becomes its code; an action_source in the properties wins over the setting',
    event: specEvent({
      type: 'track',
      event: 'Called',
      context: { ...withTraits({ address: { country: 'Germany' } }), page: undefined },
      properties: { action_source: 'phone_call' },
    }),
    expect: {
      requests: [
        events({
          event_name: 'Called',
          event_time: EVENT_TIME,
          event_id: MESSAGE_ID,
          action_source: 'phone_call',
          user_data: { country: sha('de'), ...USER },
        }),
      ],
    },
  },
  {
    name: 'an action_source Meta does not know: the setting’s is used, with a notice',
    event: specEvent({ type: 'track', event: 'Called', properties: { action_source: 'fax' } }),
    expect: {
      requests: [events(serverEvent({ event_name: 'Called' }))],
      notices: [{ kind: 'dropped', field: 'action_source', reason: "not one of Meta's action sources (website used)" }],
    },
  },
  {
    name: 'a website event without a page URL is dropped, naming event_source_url',
    event: specEvent({ type: 'track', event: 'Server Side', context: { ip: '203.0.113.7', userAgent: UA } }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'event_source_url' },
  },
  {
    name: 'app events carry app_data built from the app context; Limited Data Use flags',
    event: specEvent({
      type: 'track',
      event: 'Level Completed',
      context: {
        ip: '203.0.113.7',
        app: { namespace: 'com.example.shop', version: '2.3.0', build: '230' },
        os: { name: 'iOS', version: '17.5' },
        device: { model: 'iPhone15,2', adTrackingEnabled: true },
        screen: { width: 1179, height: 2556, density: 3 },
        locale: 'en-US',
        timezone: 'Europe/Paris',
      },
      properties: { level: 4 },
    }),
    settings: { actionSource: 'app', limitedDataUse: true },
    expect: {
      requests: [
        events({
          event_name: 'Level Completed',
          event_time: EVENT_TIME,
          event_id: MESSAGE_ID,
          action_source: 'app',
          user_data: { external_id: sha('user-1001'), client_ip_address: '203.0.113.7' },
          custom_data: { level: 4 },
          app_data: {
            advertiser_tracking_enabled: true,
            application_tracking_enabled: true,
            extinfo: [
              'i2',
              'com.example.shop',
              '2.3.0',
              '230',
              '17.5',
              'iPhone15,2',
              'en-US',
              '',
              '',
              '1179',
              '2556',
              '3',
              '',
              '',
              '',
              'Europe/Paris',
            ],
          },
          data_processing_options: ['LDU'],
          data_processing_options_country: 0,
          data_processing_options_state: 0,
        }),
      ],
    },
  },
  {
    name: 'an app event without the OS version is dropped, naming app_data.extinfo',
    event: specEvent({ type: 'track', event: 'Opened', context: { app: { version: '1' } } }),
    settings: { actionSource: 'app' },
    expect: { drop: 'INVALID_PAYLOAD', message: 'app_data.extinfo' },
  },
  ...unsupportedCases({
    identify: 'not profiles',
    screen: 'screen views',
    group: 'groups',
    alias: 'identity merges',
  }),
];

describe('Meta Conversions API', () => {
  let emulator: MetaEmulator;
  beforeAll(async () => {
    emulator = await new MetaEmulator({
      accessToken: TOKEN,
      pixelId: PIXEL,
      now: () => NOW,
      // The person of the first case as Meta knows them: every key sent must match.
      customers: [
        {
          em: 'john_smith@gmail.com',
          ph: '16505551212',
          fn: 'mary',
          ln: 'valéry',
          ge: 'f',
          db: '19970216',
          ct: 'New York',
          st: 'CA',
          zp: '94107',
          country: 'US',
          external_id: 'user-1001',
        },
      ],
    }).start();
  });
  afterAll(() => emulator.close());

  const base = () => ({ accessToken: TOKEN, pixelId: PIXEL, apiBaseUrl: emulator.baseUrl });

  it('has a valid definition and catalog entry; the token is a secret', () => {
    expect(validateDefinition(meta)).toEqual([]);
    expect(catalogEntry(meta)).toMatchObject({
      id: 'meta-conversions-api',
      name: 'Facebook Conversions API',
      secrets: { accessToken: 'whole', apiBaseUrl: 'url' },
      supportedCallTypes: ['track', 'page'],
      settingsSchema: { properties: { apiBaseUrl: { default: 'https://graph.facebook.com' } } },
    });
  });

  runTranslationCases(meta, cases, () => ({ baseSettings: base(), baseUrl: emulator.baseUrl }));

  it('every hashed value matches Meta’s normalisation of the person (none hashed as written)', () => {
    expect(new Set(emulator.matches.filter((m) => m.result === 'matched').map((m) => m.key))).toEqual(
      new Set(['em', 'ph', 'fn', 'ln', 'ge', 'db', 'ct', 'st', 'zp', 'country', 'external_id']),
    );
    expect(emulator.matches.filter((m) => m.result === 'not normalised')).toEqual([]);
  });

  it('the emulator kept the events, the test one tagged', () => {
    expect(emulator.events.map((e) => e.event['event_name'])).toContain('Purchase');
    expect(emulator.events.filter((e) => e.testEventCode === 'TEST4321').map((e) => e.event['event_name'])).toEqual([
      'PageView',
    ]);
  });

  const translate = (event = specEvent({ type: 'track', event: 'X' }), settings: Record<string, unknown> = base()) =>
    requestsOf(meta, event, settings);

  it('the same messageId sent twice is one event for Meta (event_id + event_name)', async () => {
    emulator.reset();
    const requests = translate();
    await deliverAll(meta, requests);
    await deliverAll(meta, requests);
    expect(emulator.events).toHaveLength(2);
    expect(emulator.uniqueEvents()).toHaveLength(1);
  });

  it('an event older than 7 days fails the whole request for good (Graph 100/2804003)', async () => {
    const old = specEvent({ type: 'track', event: 'Late', timestamp: '2026-05-20T00:00:00.000Z' });
    const [result] = await deliverAll(meta, translate(old));
    expect(result?.response.status).toBe(400);
    expect(result?.outcome).toMatchObject({ kind: 'dead-letter', reason: 'REJECTED', status: 400 });
    expect(result?.outcome.kind === 'dead-letter' && result.outcome.message).toContain('100/2804003');
  });

  it('a wrong token or pixel is final; throttling codes in a 400 and 5xx are retried', async () => {
    const [badToken] = await deliverAll(meta, translate(undefined, { ...base(), accessToken: 'nope' }));
    expect(badToken?.outcome).toMatchObject({ kind: 'dead-letter', reason: 'REJECTED' });
    expect(badToken?.outcome.kind === 'dead-letter' && badToken.outcome.message).toContain('Graph error 190');
    expect(badToken?.outcome.kind === 'dead-letter' && badToken.outcome.message).not.toContain('nope');
    const [badPixel] = await deliverAll(meta, translate(undefined, { ...base(), pixelId: '42' }));
    expect(badPixel?.outcome).toMatchObject({ kind: 'dead-letter', reason: 'REJECTED' });

    emulator.failNext(1, {
      status: 400,
      body: { error: { message: 'Application request limit reached', type: 'OAuthException', code: 4 } },
    });
    emulator.failNext(1, { status: 400, body: { error: { message: 'Temporary', code: 2, is_transient: true } } });
    emulator.failNext(1, { status: 503 });
    emulator.failNext(1, { status: 429, retryAfterSeconds: 3 });
    const outcomes = [];
    for (let i = 0; i < 5; i++) outcomes.push((await deliverAll(meta, translate()))[0]?.outcome);
    expect(outcomes).toMatchObject([
      { kind: 'retry', status: 400, retryAfterMs: 60_000 },
      { kind: 'retry', status: 400 },
      { kind: 'retry', status: 503 },
      { kind: 'retry', status: 429, retryAfterMs: 3000 },
      { kind: 'delivered', status: 200 },
    ]);
  });

  describe('batches: several events per request', () => {
    const track = (event: string, index: number, extra: Record<string, unknown> = {}) =>
      specEvent({ type: 'track', event, messageId: `m-${index}`, ...extra });
    const batch = (events: ReturnType<typeof track>[], settings = parsed(meta, base())) => {
      const prepared = prepareAll(meta, events, settings);
      return buildRequests(
        meta,
        'customEvent',
        prepared.map((p) => p.payload),
        settings,
      );
    };

    it('sends the events of one action in one request, data[i] being event i (exactly)', async () => {
      emulator.reset();
      const requests = batch([track('Signed Up', 0), track('Plan Chosen', 1), track('Invited', 2)]);
      expect(requests).toHaveLength(1);
      expect(requests[0]?.itemEvents).toEqual([0, 1, 2]);
      expectRequests(
        requests,
        [
          events(
            serverEvent({ event_name: 'Signed Up', event_id: 'm-0' }),
            serverEvent({ event_name: 'Plan Chosen', event_id: 'm-1' }),
            serverEvent({ event_name: 'Invited', event_id: 'm-2' }),
          ),
        ],
        emulator.baseUrl,
      );
      const [result] = await deliverAll(meta, requests);
      expect(JSON.parse(result?.response.body ?? '{}')).toMatchObject({ events_received: 3 });
      expect(outcomesPerEvent(requests[0]!, result!.outcome, 3).map((o) => o.kind)).toEqual([
        'delivered',
        'delivered',
        'delivered',
      ]);
      expect(emulator.events.map((e) => e.event['event_id'])).toEqual(['m-0', 'm-1', 'm-2']);
    });

    it('a batch of 1000 is taken; the batch size setting caps it (1 to 1000)', async () => {
      emulator.reset();
      const thousand = Array.from({ length: 1000 }, (_v, i) => track('Tick', i));
      const requests = batch(thousand);
      expect(requests).toHaveLength(1);
      const [result] = await deliverAll(meta, requests);
      expect(result?.outcome).toMatchObject({ kind: 'delivered', status: 200 });
      expect(emulator.events).toHaveLength(1000);
      expect(parsed(meta, { ...base(), batchSize: 1 }).batchSize).toBe(1);
      expect(() => parsed(meta, { ...base(), batchSize: 1001 })).toThrow();
    });

    it('the emulator refuses more than 1000 events in one request, as Meta does', async () => {
      const [request] = batch([track('Tick', 0)]);
      const body = JSON.parse(request!.body!) as { data: unknown[] };
      const tooMany = { ...request!, body: JSON.stringify({ data: Array.from({ length: 1001 }, () => body.data[0]) }) };
      const [result] = await deliverAll(meta, [tooMany]);
      expect(result?.response.status).toBe(400);
      expect(result?.outcome).toMatchObject({ kind: 'dead-letter', reason: 'REJECTED' });
    });

    it('one event Meta refuses (named as data[i]) is rejected; the others, which Meta did not take, go again', async () => {
      emulator.reset();
      const old = track('Late', 1, { timestamp: '2026-05-20T00:00:00.000Z' });
      const requests = batch([track('Fine', 0), old, track('Fine', 2)]);
      const [result] = await deliverAll(meta, requests);
      expect(result?.response.status).toBe(400);
      expect(emulator.events).toHaveLength(0);
      expect(outcomesPerEvent(requests[0]!, result!.outcome, 3)).toMatchObject([
        { kind: 'retry' },
        { kind: 'dead-letter', reason: 'REJECTED', status: 400 },
        { kind: 'retry' },
      ]);
      // Sent again without it, the others are taken.
      const again = batch([track('Fine', 0), track('Fine', 2)]);
      const [second] = await deliverAll(meta, again);
      expect(second?.outcome).toMatchObject({ kind: 'delivered' });
      expect(emulator.events.map((e) => e.event['event_id'])).toEqual(['m-0', 'm-2']);
    });

    it("Graph's parameter path ($['data'][i]) names the event too; an answer naming none rejects the request", () => {
      const [request] = batch([track('A', 0), track('B', 1)]);
      const answer = (message: string) => ({
        status: 400,
        headers: {},
        body: JSON.stringify({ error: { message, type: 'OAuthException', code: 100 } }),
      });
      const named = meta.classifyResponse!(answer(`Unexpected key "x" on param "$['data'][1]".`), request!);
      expect(outcomesPerEvent(request!, named, 2).map((o) => o.kind)).toEqual(['retry', 'dead-letter']);
      const unnamed = meta.classifyResponse!(answer('Invalid parameter'), request!);
      expect(outcomesPerEvent(request!, unnamed, 2).map((o) => o.kind)).toEqual(['dead-letter', 'dead-letter']);
    });
  });
});
