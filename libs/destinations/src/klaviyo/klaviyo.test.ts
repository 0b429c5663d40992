import { catalogEntry } from '@manifold/destination-kit';
import { validateDefinition } from '@manifold/destination-kit/testing';
import { KlaviyoEmulator } from '@manifold/emulators';
import { klaviyo } from './index';
import {
  deliverAll,
  NOW,
  runTranslationCases,
  specEvent,
  TIMESTAMP,
  type TranslationCase,
} from '../test-support/harness';
import { requestsOf, unsupportedCases } from '../test-support/cases';

const KEY = 'pk_klaviyo_private';
const REVISION = '2026-07-15';
const MESSAGE_ID = 'ajs-next-1780314000000-6f0c3b1e-7d4a-4c4e-9a57-0e1c2d3f4a5b';
const HEADERS = { authorization: `Klaviyo-API-Key ${KEY}`, revision: REVISION, 'content-type': 'application/json' };
const PROFILE = { external_id: 'user-1001', anonymous_id: 'anon-4d2b9c' };

const post = (path: string, data: Record<string, unknown>) => ({
  method: 'POST',
  path,
  headers: HEADERS,
  json: { data },
});
const event = (metric: string, attributes: Record<string, unknown>, profile: Record<string, unknown> = PROFILE) =>
  post('/api/events', {
    type: 'event',
    attributes: {
      properties: {},
      time: TIMESTAMP,
      unique_id: MESSAGE_ID,
      metric: { data: { type: 'metric', attributes: { name: metric } } },
      profile: { data: { type: 'profile', attributes: profile } },
      ...attributes,
    },
  });
const profile = (attributes: Record<string, unknown>) =>
  post('/api/profile-import', { type: 'profile', attributes: { ...PROFILE, ...attributes } });
/** A subscription job for one profile, consenting on `channels`, to `list` when given. */
const subscriptionJob = (identity: Record<string, string>, channels: string[], list?: string) =>
  post('/api/profile-subscription-bulk-create-jobs', {
    type: 'profile-subscription-bulk-create-job',
    attributes: {
      profiles: {
        data: [
          {
            type: 'profile',
            attributes: {
              ...identity,
              subscriptions: Object.fromEntries(channels.map((c) => [c, { marketing: { consent: 'SUBSCRIBED' } }])),
            },
          },
        ],
      },
    },
    ...(list ? { relationships: { list: { data: { type: 'list', id: list } } } } : {}),
  });
const withTraits = (traits: Record<string, unknown>) => ({ ...specEvent({ type: 'track' }).context, traits });

const cases: TranslationCase[] = [
  {
    name: 'identify → profile-import: standard fields, address as location, other traits as properties',
    event: specEvent({
      type: 'identify',
      context: { ...specEvent({ type: 'identify' }).context, location: { latitude: 48.85, longitude: 2.35 } },
      traits: {
        email: 'ann@example.com',
        phone: '+33 1 23 45 67 89',
        firstName: 'Ann',
        lastName: 'Lee',
        title: 'CTO',
        avatar: 'https://img.example.com/ann.png',
        company: { name: 'Acme', plan: 'enterprise' },
        address: { street: '1 Rue de Rivoli', city: 'Paris', state: 'IDF', postalCode: '75001', country: 'FR' },
        plan: 'pro',
        createdAt: '2026-01-02T03:04:05.000Z',
      },
    }),
    expect: {
      requests: [
        profile({
          email: 'ann@example.com',
          phone_number: '+33123456789',
          first_name: 'Ann',
          last_name: 'Lee',
          organization: 'Acme',
          title: 'CTO',
          image: 'https://img.example.com/ann.png',
          locale: 'en-US',
          location: {
            address1: '1 Rue de Rivoli',
            city: 'Paris',
            region: 'IDF',
            zip: '75001',
            country: 'FR',
            latitude: 48.85,
            longitude: 2.35,
            timezone: 'Europe/Paris',
            ip: '203.0.113.7',
          },
          properties: {
            company: { name: 'Acme', plan: 'enterprise' },
            plan: 'pro',
            createdAt: '2026-01-02T03:04:05.000Z',
          },
        }),
      ],
    },
  },
  {
    name: 'identify: a company given as text is the organization; a national phone gets the default country code',
    event: specEvent({ type: 'identify', context: {}, traits: { company: 'Initech', phone: '0612345678' } }),
    settings: { defaultCountryCode: '33' },
    expect: { requests: [profile({ phone_number: '+33612345678', organization: 'Initech' })] },
  },
  {
    name: 'identify: a phone without country code (no setting) and an invalid email are left out with notices',
    event: specEvent({
      type: 'identify',
      context: {},
      traits: { phone: 4155550123, email: 'ann(at)example', tier: 2 },
    }),
    expect: {
      requests: [profile({ properties: { tier: 2 } })],
      notices: [
        { kind: 'dropped', field: 'email', reason: 'not an email address' },
        { kind: 'converted', field: 'phone', reason: 'number to string' },
        { kind: 'dropped', field: 'phone_number', reason: 'no country code (+…) and no default country code setting' },
      ],
    },
  },
  {
    name: 'track → an event: metric = event name, every identifier, properties, time, unique_id = messageId, value',
    event: specEvent({
      type: 'track',
      event: 'Plan Upgraded',
      context: withTraits({ email: 'ann@example.com', phone: '+14155550123' }),
      properties: { plan: 'team', revenue: '24', currency: 'eur', seats: [1, 2], meta: { via: 'ad' } },
    }),
    expect: {
      requests: [
        event(
          'Plan Upgraded',
          {
            properties: { plan: 'team', revenue: '24', currency: 'eur', seats: [1, 2], meta: { via: 'ad' } },
            value: 24,
            value_currency: 'EUR',
          },
          { email: 'ann@example.com', phone_number: '+14155550123', ...PROFILE },
        ),
      ],
      notices: [{ kind: 'converted', field: 'value', reason: 'string to number' }],
    },
  },
  {
    name: 'track of an anonymous visitor: the anonymous_id is the profile',
    event: specEvent({ type: 'track', event: 'Viewed Pricing', userId: null }),
    expect: { requests: [event('Viewed Pricing', {}, { anonymous_id: 'anon-4d2b9c' })] },
  },
  {
    name: 'track with a userId over Klaviyo’s 255 characters: external_id left out with a notice, the event goes by the other identifiers',
    event: specEvent({ type: 'track', event: 'Viewed Pricing', userId: 'u'.repeat(256) }),
    expect: {
      requests: [event('Viewed Pricing', {}, { anonymous_id: 'anon-4d2b9c' })],
      notices: [{ kind: 'dropped', field: 'external_id', reason: 'longer than Klaviyo’s 255 characters' }],
    },
  },
  {
    name: 'identify with only a userId over 255 characters is dropped: no identifier Klaviyo takes',
    event: specEvent({ type: 'identify', userId: 'u'.repeat(256), anonymousId: null, traits: {} }),
    expect: {
      drop: 'INVALID_PAYLOAD',
      message: 'Klaviyo needs a profile identifier: email, phone_number, external_id or anonymous_id',
    },
  },
  {
    name: 'track with an unknown currency: the value is sent, the currency left out with a notice',
    event: specEvent({ type: 'track', event: 'Tipped', properties: { value: 3, currency: 'bitcoins' } }),
    expect: {
      requests: [event('Tipped', { properties: { value: 3, currency: 'bitcoins' }, value: 3 })],
      notices: [{ kind: 'dropped', field: 'value_currency', reason: 'not an ISO 4217 currency code' }],
    },
  },
  {
    name: 'Order Completed → the order event (value = revenue), then one Ordered Product event per product',
    event: specEvent({
      type: 'track',
      event: 'Order Completed',
      properties: {
        order_id: 'o-1',
        revenue: 27,
        currency: 'USD',
        products: [
          { product_id: 'sku-1', name: 'Mug', price: 9, quantity: 2 },
          { product_id: 'sku-2', name: 'Card', price: '9' },
        ],
      },
    }),
    expect: {
      requests: [
        event('Order Completed', {
          properties: {
            order_id: 'o-1',
            revenue: 27,
            currency: 'USD',
            products: [
              { product_id: 'sku-1', name: 'Mug', price: 9, quantity: 2 },
              { product_id: 'sku-2', name: 'Card', price: '9' },
            ],
          },
          value: 27,
          value_currency: 'USD',
        }),
        event('Ordered Product', {
          properties: {
            order_id: 'o-1',
            revenue: 27,
            currency: 'USD',
            product_id: 'sku-1',
            name: 'Mug',
            price: 9,
            quantity: 2,
          },
          value: 9,
          value_currency: 'USD',
          unique_id: `${MESSAGE_ID}-product-0`,
        }),
        event('Ordered Product', {
          properties: { order_id: 'o-1', revenue: 27, currency: 'USD', product_id: 'sku-2', name: 'Card', price: '9' },
          value: 9,
          value_currency: 'USD',
          unique_id: `${MESSAGE_ID}-product-1`,
        }),
      ],
      notices: [{ kind: 'converted', field: 'products[].price', reason: 'string to number' }],
    },
  },
  {
    name: 'Order Completed with total only and products not a list: the order event, with a notice',
    event: specEvent({ type: 'track', event: 'Order Completed', properties: { total: 5, products: 'mug' } }),
    expect: {
      requests: [event('Order Completed', { properties: { total: 5, products: 'mug' }, value: 5 })],
      notices: [{ kind: 'dropped', field: 'products', reason: 'not a list (no Ordered Product events)' }],
    },
  },
  {
    name: 'identify giving consent (subscribe: true, consent: [sms]) → the profile, then an SMS subscription to the list it names',
    event: specEvent({
      type: 'identify',
      userId: 'user-3003',
      anonymousId: 'anon-user-3003',
      traits: {
        email: 'cy@example.com',
        phone: '+1 415 555 0100',
        subscribe: true,
        consent: ['sms'],
        listId: 'Xy12Ab',
      },
    }),
    expect: {
      requests: [
        profile({
          external_id: 'user-3003',
          anonymous_id: 'anon-user-3003',
          email: 'cy@example.com',
          phone_number: '+14155550100',
          locale: 'en-US',
          location: { timezone: 'Europe/Paris', ip: '203.0.113.7' },
          properties: { subscribe: true, consent: ['sms'], listId: 'Xy12Ab' },
        }),
        subscriptionJob({ phone_number: '+14155550100' }, ['sms'], 'Xy12Ab'),
      ],
    },
  },
  {
    name: "identify with RudderStack's traits.properties.subscribe and no channel named: email, to the settings' list",
    event: specEvent({
      type: 'identify',
      userId: 'user-3004',
      anonymousId: 'anon-user-3004',
      traits: { email: 'di@example.com', properties: { subscribe: 'true' } },
    }),
    settings: { listId: 'Xy12Ab' },
    expect: {
      requests: [
        profile({
          external_id: 'user-3004',
          anonymous_id: 'anon-user-3004',
          email: 'di@example.com',
          locale: 'en-US',
          location: { timezone: 'Europe/Paris', ip: '203.0.113.7' },
          properties: { properties: { subscribe: 'true' } },
        }),
        subscriptionJob({ email: 'di@example.com' }, ['email'], 'Xy12Ab'),
      ],
      notices: [{ kind: 'converted', field: 'subscribe', reason: 'string to boolean' }],
    },
  },
  {
    name: 'identify giving consent without an identifier for the channel: the profile alone, the subscription left out with a notice',
    event: specEvent({
      type: 'identify',
      userId: 'user-3005',
      anonymousId: 'anon-user-3005',
      traits: { email: 'ed@example.com', subscribe: true, consent: 'sms' },
    }),
    expect: {
      requests: [
        profile({
          external_id: 'user-3005',
          anonymous_id: 'anon-user-3005',
          email: 'ed@example.com',
          locale: 'en-US',
          location: { timezone: 'Europe/Paris', ip: '203.0.113.7' },
          properties: { subscribe: true, consent: 'sms' },
        }),
      ],
      notices: [
        {
          kind: 'dropped',
          field: 'subscriptions',
          reason: 'consent given without an email or E.164 phone for the channels named',
        },
      ],
    },
  },
  {
    name: 'User Subscribed (consent given) → an email marketing subscription to the list, and the event',
    event: specEvent({
      type: 'track',
      event: 'User Subscribed',
      properties: { email: 'ann@example.com', source: 'footer' },
    }),
    settings: { listId: 'Xy12Ab' },
    expect: {
      requests: [
        subscriptionJob({ email: 'ann@example.com' }, ['email'], 'Xy12Ab'),
        event(
          'User Subscribed',
          { properties: { email: 'ann@example.com', source: 'footer' } },
          { email: 'ann@example.com', ...PROFILE },
        ),
      ],
    },
  },
  {
    name: 'User Subscribed to email and SMS (channels named): both subscriptions, account-wide without list',
    event: specEvent({
      type: 'track',
      event: 'User Subscribed',
      userId: 'user-2002',
      context: withTraits({ email: 'bo@example.com', phone: '+44 7700 900123' }),
      properties: { channels: ['email', 'SMS', 'pigeon'] },
    }),
    expect: {
      requests: [
        subscriptionJob({ email: 'bo@example.com', phone_number: '+447700900123' }, ['email', 'sms']),
        event(
          'User Subscribed',
          { properties: { channels: ['email', 'SMS', 'pigeon'] } },
          { email: 'bo@example.com', phone_number: '+447700900123', ...PROFILE, external_id: 'user-2002' },
        ),
      ],
      notices: [{ kind: 'dropped', field: 'channels', reason: 'not a Klaviyo channel (email, sms)' }],
    },
  },
  {
    name: 'User Subscribed without email or phone is dropped: nothing to subscribe',
    event: specEvent({ type: 'track', event: 'User Subscribed' }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'email' },
  },
  ...unsupportedCases({ page: 'page views', screen: 'screen views', group: 'groups', alias: 'alias' }),
];

describe('Klaviyo', () => {
  let emulator: KlaviyoEmulator;
  beforeAll(async () => {
    emulator = await new KlaviyoEmulator({ apiKey: KEY, listIds: ['Xy12Ab'], now: () => NOW }).start();
  });
  afterAll(() => emulator.close());

  const base = () => ({ apiKey: KEY, apiBaseUrl: emulator.baseUrl });

  it('has a valid definition and catalog entry; the key is a secret', () => {
    expect(validateDefinition(klaviyo)).toEqual([]);
    expect(catalogEntry(klaviyo)).toMatchObject({
      id: 'klaviyo',
      name: 'Klaviyo',
      secrets: { apiKey: 'whole', apiBaseUrl: 'url' },
      supportedCallTypes: ['identify', 'track'],
      settingsSchema: {
        properties: { apiBaseUrl: { default: 'https://a.klaviyo.com' }, revision: { default: REVISION } },
      },
    });
  });

  runTranslationCases(klaviyo, cases, () => ({ baseSettings: base(), baseUrl: emulator.baseUrl }));

  it('the emulator kept one profile per person, their events and subscriptions', () => {
    const ann = emulator.profileBy({ email: 'ann@example.com' });
    expect(ann?.attributes).toMatchObject({ first_name: 'Ann', last_name: 'Lee', external_id: 'user-1001' });
    expect(ann?.subscriptions).toEqual([{ channel: 'email', listId: 'Xy12Ab' }]);
    // Consent given on identify.
    expect(emulator.profileBy({ email: 'cy@example.com' })?.subscriptions).toEqual([
      { channel: 'sms', listId: 'Xy12Ab' },
    ]);
    expect(emulator.profileBy({ email: 'ed@example.com' })?.subscriptions).toEqual([]);
    expect(emulator.profileBy({ email: 'bo@example.com' })?.subscriptions.map((s) => s.channel)).toEqual([
      'email',
      'sms',
    ]);
    expect(emulator.events.filter((e) => e.metric === 'Ordered Product')).toHaveLength(2);
  });

  const translate = (event = specEvent({ type: 'track', event: 'X' }), settings: Record<string, unknown> = base()) =>
    requestsOf(klaviyo, event, settings);

  it('a retried event (same messageId) and its products are recorded once', async () => {
    emulator.reset();
    const order = specEvent({
      type: 'track',
      event: 'Order Completed',
      properties: { revenue: 1, products: [{ product_id: 'a', price: 1 }] },
    });
    await deliverAll(klaviyo, translate(order));
    const again = await deliverAll(klaviyo, translate(order));
    expect(again.map((r) => r.response.status)).toEqual([202, 202]);
    expect(emulator.events).toHaveLength(2);
    expect(emulator.duplicatesIgnored).toBe(2);
  });

  it('a wrong key, an unknown or retired revision are final; 429 with Retry-After and 5xx are retried', async () => {
    const [badKey] = await deliverAll(klaviyo, translate(undefined, { ...base(), apiKey: 'pk_nope' }));
    expect(badKey?.outcome).toMatchObject({ kind: 'dead-letter', reason: 'REJECTED', status: 401 });
    const [badRevision] = await deliverAll(klaviyo, translate(undefined, { ...base(), revision: '2026-07-16' }));
    expect(badRevision?.outcome).toMatchObject({ kind: 'dead-letter', status: 400 });
    const [retired] = await deliverAll(klaviyo, translate(undefined, { ...base(), revision: '2023-01-15' }));
    expect(retired?.outcome).toMatchObject({ kind: 'dead-letter', status: 410 });
    emulator.failNext(1, { status: 429, retryAfterSeconds: 2, body: { errors: [{ code: 'throttled' }] } });
    emulator.failNext(1, { status: 503 });
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push((await deliverAll(klaviyo, translate()))[0]?.outcome);
    expect(outcomes).toMatchObject([
      { kind: 'retry', status: 429, retryAfterMs: 2000 },
      { kind: 'retry', status: 503 },
      { kind: 'delivered', status: 202 },
    ]);
  });
});
