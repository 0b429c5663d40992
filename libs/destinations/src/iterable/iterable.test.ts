import { buildRequests, catalogEntry, outcomesPerEvent, prepareEvent } from '@manifold/destination-kit';
import { validateDefinition } from '@manifold/destination-kit/testing';
import { IterableEmulator } from '@manifold/emulators';
import { iterable } from './index';
import {
  deliverAll,
  NOW,
  parsed,
  runTranslationCases,
  specEvent,
  TIMESTAMP_MS,
  type TranslationCase,
} from '../test-support/harness';
import { requestsOf, unsupportedCases } from '../test-support/cases';

const KEY = 'iterable-server-key';
const MESSAGE_ID = 'ajs-next-1780314000000-6f0c3b1e-7d4a-4c4e-9a57-0e1c2d3f4a5b';
const CREATED_AT = TIMESTAMP_MS / 1000;
const post = (path: string, json: Record<string, unknown>) => ({
  method: 'POST',
  path,
  headers: { 'api-key': KEY, 'content-type': 'application/json' },
  json,
});
const track = (fields: Record<string, unknown>) =>
  post('/api/events/track', { userId: 'user-1001', id: MESSAGE_ID, createdAt: CREATED_AT, dataFields: {}, ...fields });
const user = (fields: Record<string, unknown>) =>
  post('/api/users/update', { userId: 'user-1001', preferUserId: true, mergeNestedObjects: true, ...fields });

const cases: TranslationCase[] = [
  {
    name: 'identify → users/update: traits as dataFields (ISO date-times as Iterable dates), phone as phoneNumber',
    event: specEvent({
      type: 'identify',
      traits: {
        email: 'ann@example.com',
        phone: '+33 1 23 45 67 89',
        firstName: 'Ann',
        plan: 'pro',
        createdAt: '2026-01-02T03:04:05.000Z',
        lastSeen: '2026-05-01T10:00:00.250Z',
        address: { city: 'Paris' },
      },
    }),
    expect: {
      requests: [
        user({
          email: 'ann@example.com',
          dataFields: {
            firstName: 'Ann',
            plan: 'pro',
            createdAt: '2026-01-02 03:04:05 +00:00',
            lastSeen: '2026-05-01T10:00:00.250Z',
            address: { city: 'Paris' },
            phoneNumber: '+33 1 23 45 67 89',
          },
        }),
      ],
      notices: [
        { kind: 'converted', field: 'dataFields.createdAt', reason: 'ISO date-time written as an Iterable date' },
      ],
    },
  },
  {
    name: 'identify of an anonymous visitor with an email only',
    event: specEvent({ type: 'identify', userId: null, traits: { email: 'bo@example.com', tier: 2 } }),
    expect: {
      requests: [
        post('/api/users/update', {
          email: 'bo@example.com',
          dataFields: { tier: 2 },
          preferUserId: true,
          mergeNestedObjects: true,
        }),
      ],
    },
  },
  {
    name: 'identify without email or userId is dropped, naming both',
    event: specEvent({ type: 'identify', userId: null, traits: { plan: 'free' } }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'an email or a userId' },
  },
  {
    name: 'identify with an invalid email and a userId: the email left out with a notice, the user updated',
    event: specEvent({ type: 'identify', traits: { email: 'ann(at)example', plan: 'pro' } }),
    expect: {
      requests: [user({ dataFields: { plan: 'pro' } })],
      notices: [{ kind: 'dropped', field: 'email', reason: 'not an email address' }],
    },
  },
  {
    name: 'track → events/track: id = messageId, createdAt in seconds, properties as dataFields, campaign attribution',
    event: specEvent({
      type: 'track',
      event: 'Played Song',
      context: { ...specEvent({ type: 'track' }).context, traits: { email: 'ann@example.com' } },
      properties: { song: 'Blue', seconds: 212, campaignId: '1234', templateId: 55, at: '2026-06-01T11:00:00Z' },
    }),
    expect: {
      requests: [
        track({
          email: 'ann@example.com',
          eventName: 'Played Song',
          dataFields: {
            song: 'Blue',
            seconds: 212,
            campaignId: '1234',
            templateId: 55,
            at: '2026-06-01 11:00:00 +00:00',
          },
          campaignId: 1234,
          templateId: 55,
        }),
      ],
      notices: [
        { kind: 'converted', field: 'dataFields.at', reason: 'ISO date-time written as an Iterable date' },
        { kind: 'converted', field: 'campaignId', reason: 'string to number' },
      ],
    },
  },
  {
    name: 'track with a campaignId that is not an integer: left out of the attribution (kept in dataFields)',
    event: specEvent({ type: 'track', event: 'Clicked', properties: { campaignId: 'spring' } }),
    expect: {
      requests: [track({ eventName: 'Clicked', dataFields: { campaignId: 'spring' } })],
      notices: [{ kind: 'dropped', field: 'campaignId', reason: 'not a number' }],
    },
  },
  {
    name: 'Order Completed → commerce/trackPurchase: items from products, total, user with context traits',
    event: specEvent({
      type: 'track',
      event: 'Order Completed',
      context: {
        ...specEvent({ type: 'track' }).context,
        traits: { email: 'ann@example.com', phone: '+14155550123', plan: 'pro' },
      },
      properties: {
        order_id: 'o-1',
        total: 27.5,
        revenue: 25,
        currency: 'USD',
        products: [
          {
            product_id: 'sku-1',
            sku: 'MUG-1',
            name: 'Mug',
            price: 9,
            quantity: 2,
            category: 'Kitchen',
            url: 'https://shop.example.com/mug',
            image_url: 'https://img.example.com/mug.png',
            color: 'blue',
          },
          { product_id: 'gift', price: '9.50' },
          { name: 'Sticker' },
        ],
      },
    }),
    expect: {
      requests: [
        post('/api/commerce/trackPurchase', {
          id: 'o-1',
          user: {
            email: 'ann@example.com',
            userId: 'user-1001',
            dataFields: { plan: 'pro', phoneNumber: '+14155550123' },
            preferUserId: true,
            mergeNestedObjects: true,
          },
          items: [
            {
              id: 'sku-1',
              sku: 'MUG-1',
              name: 'Mug',
              categories: ['Kitchen'],
              price: 9,
              quantity: 2,
              url: 'https://shop.example.com/mug',
              imageUrl: 'https://img.example.com/mug.png',
              dataFields: { color: 'blue' },
            },
            { id: 'gift', name: 'gift', price: 9.5, quantity: 1 },
          ],
          total: 27.5,
          createdAt: CREATED_AT,
          dataFields: { order_id: 'o-1', total: 27.5, revenue: 25, currency: 'USD' },
        }),
      ],
      notices: [
        { kind: 'converted', field: 'items[].price', reason: 'string to number' },
        { kind: 'converted', field: 'items[].name', reason: 'no name: the product id used' },
        { kind: 'dropped', field: 'items[]', reason: 'no product_id or sku' },
      ],
    },
  },
  {
    name: 'Order Completed with revenue only: total = revenue, no items',
    event: specEvent({ type: 'track', event: 'Order Completed', properties: { revenue: '12' } }),
    expect: {
      requests: [
        post('/api/commerce/trackPurchase', {
          user: { userId: 'user-1001', dataFields: {}, preferUserId: true, mergeNestedObjects: true },
          items: [],
          total: 12,
          createdAt: CREATED_AT,
          dataFields: { revenue: '12' },
        }),
      ],
      notices: [{ kind: 'converted', field: 'total', reason: 'string to number' }],
    },
  },
  {
    name: 'Order Completed without total or revenue is dropped, naming total',
    event: specEvent({ type: 'track', event: 'Order Completed', properties: { order_id: 'o-2' } }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'total' },
  },
  ...unsupportedCases({ page: 'page views', screen: 'screen views', group: 'groups', alias: 'updateEmail' }),
];

describe('Iterable', () => {
  let emulator: IterableEmulator;
  beforeAll(async () => {
    emulator = await new IterableEmulator({ apiKey: KEY, disallowedEventNames: ['Blocked'], now: () => NOW }).start();
  });
  afterAll(() => emulator.close());

  const base = () => ({ apiKey: KEY, apiBaseUrl: emulator.baseUrl, batchSize: 1 });

  it('has a valid definition and catalog entry; the key is a secret', () => {
    expect(validateDefinition(iterable)).toEqual([]);
    expect(catalogEntry(iterable)).toMatchObject({
      id: 'iterable',
      name: 'Iterable',
      secrets: { apiKey: 'whole', apiBaseUrl: 'url' },
      supportedCallTypes: ['identify', 'track'],
      settingsSchema: { properties: { apiBaseUrl: { default: 'https://api.iterable.com' } } },
    });
  });

  runTranslationCases(iterable, cases, () => ({ baseSettings: base(), baseUrl: emulator.baseUrl }));

  it('the emulator kept the users, events and purchases of the cases', () => {
    expect(emulator.users.get('userId:user-1001')?.dataFields).toMatchObject({
      firstName: 'Ann',
      createdAt: '2026-01-02 03:04:05 +00:00',
      address: { city: 'Paris' },
    });
    expect(emulator.purchases.map((p) => p.body['total'])).toEqual([27.5, 12]);
    // Every track carried the same messageId: Iterable kept the last (overwrites, not duplicates).
    expect(emulator.events.size).toBe(1);
    expect(emulator.overwrites).toBe(1);
  });

  const payloadsOf = (
    events: ReturnType<typeof specEvent>[],
    settings: ReturnType<typeof parsed<typeof iterable.settings>>,
  ) =>
    events.map((e) => {
      const prepared = prepareEvent(iterable, e, settings);
      if (!('payload' in prepared)) throw new Error(prepared.message);
      return prepared.payload;
    });

  it('batches tracks through events/trackBulk and identifies through users/bulkUpdate; failed items map to their event', async () => {
    emulator.reset();
    const settings = parsed(iterable, { ...base(), batchSize: 500 });
    const tracks = Array.from({ length: 4 }, (_v, i) =>
      specEvent({ type: 'track', event: i === 2 ? 'Blocked' : 'Tick', userId: `u-${i}`, messageId: `m-${i}` }),
    );
    const [bulk] = buildRequests(iterable, 'trackEvent', payloadsOf(tracks, settings), settings);
    expect(bulk?.url).toBe(`${emulator.baseUrl}/api/events/trackBulk`);
    expect(bulk?.itemEvents).toEqual([0, 1, 2, 3]);
    const [answer] = await deliverAll(iterable, [bulk!]);
    expect(answer?.response.status).toBe(200);
    expect(outcomesPerEvent(bulk!, answer!.outcome, 4).map((o) => o.kind)).toEqual([
      'delivered',
      'delivered',
      'dead-letter',
      'delivered',
    ]);

    const identifies = [
      specEvent({ type: 'identify', userId: 'u-1', traits: { plan: 'a' } }),
      specEvent({ type: 'identify', userId: 'u-2', traits: { email: 'x@y.co', plan: 'b' } }),
    ];
    const [users] = buildRequests(iterable, 'updateUser', payloadsOf(identifies, settings), settings);
    expect(users?.url).toBe(`${emulator.baseUrl}/api/users/bulkUpdate`);
    const [usersAnswer] = await deliverAll(iterable, [users!]);
    expect(usersAnswer?.outcome).toMatchObject({ kind: 'delivered', status: 200 });
    expect(emulator.users.get('email:x@y.co')?.dataFields).toEqual({ plan: 'b' });
  });

  it('an invalid email in a bulk update rejects that user only', async () => {
    const settings = parsed(iterable, { ...base(), batchSize: 500 });
    const payloads = payloadsOf(
      [
        specEvent({ type: 'identify', userId: 'u-5', traits: { plan: 'a' } }),
        specEvent({ type: 'identify', userId: 'u-6', traits: { plan: 'b' } }),
      ],
      settings,
    );
    // An address the emulator refuses although it passed the translator (Iterable is stricter).
    const [request] = buildRequests(
      iterable,
      'updateUser',
      [{ ...payloads[0]!, email: 'a@b' }, payloads[1]!],
      settings,
    );
    const [result] = await deliverAll(iterable, [request!]);
    expect(outcomesPerEvent(request!, result!.outcome, 2)).toMatchObject([
      { kind: 'dead-letter', reason: 'REJECTED', message: 'Iterable bulk: invalidEmails' },
      { kind: 'delivered' },
    ]);
  });

  it('a wrong key is final with its code; 429 and 5xx are retried', async () => {
    const translate = (settings: Record<string, unknown>) =>
      requestsOf(iterable, specEvent({ type: 'track', event: 'X' }), settings);
    const [bad] = await deliverAll(iterable, translate({ ...base(), apiKey: 'nope' }));
    expect(bad?.outcome).toMatchObject({
      kind: 'dead-letter',
      status: 401,
      message: 'Iterable BadApiKey: Invalid API key',
    });
    emulator.failNext(1, { status: 429, retryAfterSeconds: 1, body: { code: 'RateLimitExceeded', msg: 'slow down' } });
    emulator.failNext(1, { status: 500 });
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push((await deliverAll(iterable, translate(base())))[0]?.outcome);
    expect(outcomes).toMatchObject([
      { kind: 'retry', status: 429, retryAfterMs: 1000 },
      { kind: 'retry', status: 500 },
      { kind: 'delivered', status: 200 },
    ]);
  });
});
