import { buildRequests, catalogEntry, translateEvent } from '@manifold/destination-kit';
import { validateDefinition } from '@manifold/destination-kit/testing';
import { HeapEmulator } from '@manifold/emulators';
import { heap } from './index';
import {
  deliverAll,
  parsed,
  prepareAll,
  runTranslationCases,
  specEvent,
  TIMESTAMP,
  type TranslationCase,
} from '../test-support/harness';

const APP_ID = '1234567890';
const MESSAGE_ID = specEvent({ type: 'track' }).messageId;

const bulk = (path: string, kind: string, ...items: unknown[]) => ({
  method: 'POST',
  path,
  headers: { 'content-type': 'application/json' },
  json: { app_id: APP_ID, [kind]: items },
});
const track = (...events: unknown[]) => bulk('/api/track', 'events', ...events);
const event = (name: string, properties: Record<string, unknown>, identity = 'user-1001') => ({
  event: name,
  identity,
  timestamp: TIMESTAMP,
  idempotency_key: MESSAGE_ID,
  properties,
});

const cases: TranslationCase[] = [
  {
    name: 'track: the event with its properties, identity = userId, idempotency key = messageId',
    event: specEvent({ type: 'track', event: 'Order Completed', properties: { total: 30, currency: 'EUR' } }),
    expect: { requests: [track(event('Order Completed', { total: 30, currency: 'EUR' }))] },
  },
  {
    name: 'track of an anonymous visitor: identity = anonymousId',
    event: specEvent({ type: 'track', userId: null, event: 'Viewed Pricing', properties: {} }),
    expect: { requests: [track(event('Viewed Pricing', {}, 'anon-4d2b9c'))] },
  },
  {
    name: 'track: nested objects flattened, booleans as text, lists of objects as JSON, long text cut, nulls left out',
    event: specEvent({
      type: 'track',
      event: 'Signed Up',
      properties: {
        address: { city: 'Paris', geo: { lat: 48.85 } },
        trial: true,
        tags: ['a', 'b', 3],
        items: [{ sku: 'x' }],
        bio: 'b'.repeat(1500),
        coupon: null,
      },
    }),
    expect: {
      requests: [
        track(
          event('Signed Up', {
            'address.city': 'Paris',
            'address.geo.lat': 48.85,
            trial: 'true',
            tags: ['a', 'b', 3],
            items: '[{"sku":"x"}]',
            bio: 'b'.repeat(1023),
          }),
        ),
      ],
      notices: [
        { kind: 'converted', field: 'properties.address', reason: 'object flattened into address.… names' },
        { kind: 'converted', field: 'properties.address.geo', reason: 'object flattened into address.geo.… names' },
        { kind: 'converted', field: 'properties.trial', reason: 'boolean to string' },
        { kind: 'converted', field: 'properties.items', reason: 'list to string' },
        { kind: 'converted', field: 'properties.bio', reason: 'cut to 1023 characters' },
        { kind: 'dropped', field: 'properties.coupon', reason: 'no value (null)' },
      ],
    },
  },
  {
    name: "track with traits in its context: the event, then the traits as the user's properties",
    event: specEvent({
      type: 'track',
      event: 'Plan Changed',
      properties: { plan: 'team' },
      context: { ...specEvent({ type: 'track' }).context, traits: { email: 'ann@example.com', Id: 'x' } },
    }),
    expect: {
      requests: [
        track(event('Plan Changed', { plan: 'team' })),
        bulk('/api/add_user_properties', 'users', { identity: 'user-1001', properties: { email: 'ann@example.com' } }),
      ],
      notices: [
        { kind: 'dropped', field: 'context.traits.Id', reason: 'Heap reserves "id" (the identity is the user id)' },
      ],
    },
  },
  {
    name: 'page: "Page viewed" with the page name and category among the properties',
    event: specEvent({
      type: 'page',
      name: 'Cart',
      category: 'Shop',
      properties: { url: 'https://shop.example.com/cart' },
    }),
    expect: {
      requests: [track(event('Page viewed', { name: 'Cart', category: 'Shop', url: 'https://shop.example.com/cart' }))],
    },
  },
  {
    name: 'screen: "Screen viewed" with the screen name',
    event: specEvent({ type: 'screen', name: 'Home', properties: { tab: 'feed' } }),
    expect: { requests: [track(event('Screen viewed', { name: 'Home', tab: 'feed' }))] },
  },
  {
    name: 'identify: traits as user properties of the userId, the anonymousId among them, "id" left out',
    event: specEvent({
      type: 'identify',
      traits: { id: 'user-1001', email: 'ann@example.com', plan: 'pro', company: { name: 'Acme' } },
    }),
    expect: {
      requests: [
        bulk('/api/add_user_properties', 'users', {
          identity: 'user-1001',
          properties: { anonymous_id: 'anon-4d2b9c', email: 'ann@example.com', plan: 'pro', 'company.name': 'Acme' },
        }),
      ],
      notices: [
        { kind: 'converted', field: 'properties.company', reason: 'object flattened into company.… names' },
        { kind: 'dropped', field: 'properties.id', reason: 'Heap reserves "id" (the identity is the user id)' },
      ],
    },
  },
  {
    name: 'identify of an anonymous visitor: properties of the anonymousId',
    event: specEvent({ type: 'identify', userId: null, traits: { plan: 'free' } }),
    expect: {
      requests: [bulk('/api/add_user_properties', 'users', { identity: 'anon-4d2b9c', properties: { plan: 'free' } })],
    },
  },
  {
    name: 'group: traits as properties of the account = groupId',
    event: specEvent({ type: 'group', groupId: 'acme', traits: { name: 'Acme', employees: 40 } }),
    expect: {
      requests: [
        bulk('/api/add_account_properties', 'accounts', {
          account_id: 'acme',
          properties: { name: 'Acme', employees: 40 },
        }),
      ],
    },
  },
  {
    name: 'group without groupId is dropped, naming the field',
    event: specEvent({ type: 'group', traits: { name: 'Acme' } }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'accountId' },
  },
  {
    name: 'an event name over 1024 characters is dropped, naming the field',
    event: specEvent({ type: 'track', event: 'e'.repeat(1025) }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'event' },
  },
  {
    name: 'an identity over 255 characters is dropped, naming the field',
    event: specEvent({ type: 'track', event: 'X', userId: 'u'.repeat(256) }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'identity' },
  },
  {
    name: 'an event without userId or anonymousId is dropped',
    event: specEvent({ type: 'track', event: 'X', userId: null, anonymousId: null }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'identity' },
  },
  {
    name: 'alias is not supported',
    event: specEvent({ type: 'alias', previousId: 'anon-4d2b9c' }),
    expect: { drop: 'UNSUPPORTED_EVENT_TYPE' },
  },
];

describe('Heap', () => {
  let hp: HeapEmulator;
  beforeAll(async () => {
    hp = await new HeapEmulator({ appId: APP_ID }).start();
  });
  afterAll(() => hp.close());

  const base = () => ({ appId: APP_ID, apiBaseUrl: hp.baseUrl });

  it('has a valid definition and catalog entry', () => {
    expect(validateDefinition(heap)).toEqual([]);
    expect(catalogEntry(heap)).toMatchObject({
      id: 'heap',
      name: 'Heap',
      secrets: { appId: 'whole', apiBaseUrl: 'url' },
      supportedCallTypes: ['identify', 'track', 'page', 'screen', 'group'],
      settingsSchema: { properties: { apiBaseUrl: { default: 'https://heapanalytics.com' } } },
    });
  });

  runTranslationCases(heap, cases, () => ({ baseSettings: base(), baseUrl: hp.baseUrl }));

  it('the emulator stored the events once (one idempotency key), the users and the account', () => {
    expect(hp.events).toHaveLength(1);
    expect(hp.duplicatesIgnored).toBe(5);
    expect(hp.users.get('user-1001')).toMatchObject({ email: 'ann@example.com', plan: 'pro' });
    expect(hp.accounts.get('acme')).toEqual({ name: 'Acme', employees: 40 });
  });

  it('batches track, page and screen into one bulk request', async () => {
    hp.reset();
    const settings = parsed(heap, base());
    const prepared = prepareAll(
      heap,
      [
        specEvent({ type: 'track', event: 'A', messageId: 'm-1' }),
        specEvent({ type: 'page', name: 'P', messageId: 'm-2' }),
        specEvent({ type: 'screen', name: 'S', messageId: 'm-3', userId: 'u-3', context: { traits: { plan: 'pro' } } }),
      ],
      settings,
    );
    expect(new Set(prepared.map((p) => p.batchKey))).toEqual(new Set(['trackEvent:']));
    const requests = buildRequests(
      heap,
      'trackEvent',
      prepared.map((p) => p.payload),
      settings,
    );
    // The events in one request, then the traits of the one event that had some.
    expect(requests.map((r) => r.itemEvents)).toEqual([[0, 1, 2], [2]]);
    const results = await deliverAll(heap, requests);
    expect(results.map((r) => r.outcome.kind)).toEqual(['delivered', 'delivered']);
    expect(hp.users.get('u-3')).toEqual({ plan: 'pro' });
    expect(hp.events.map((e) => [e.event, e.idempotencyKey])).toEqual([
      ['A', 'm-1'],
      ['Page viewed', 'm-2'],
      ['Screen viewed', 'm-3'],
    ]);
  });

  it('a wrong app_id is a permanent failure; 429 and 5xx are retried', async () => {
    const send = async (appId: string) => {
      const t = translateEvent(heap, specEvent({ type: 'track', event: 'X' }), parsed(heap, { ...base(), appId }));
      if (t.kind !== 'requests') throw new Error('no requests');
      return (await deliverAll(heap, t.requests))[0]?.outcome;
    };
    expect(await send('999')).toMatchObject({ kind: 'dead-letter', reason: 'REJECTED', status: 400 });
    hp.failNext(1, { status: 503 });
    hp.failNext(1, { status: 429, retryAfterSeconds: 30 });
    expect(await send(APP_ID)).toMatchObject({ kind: 'retry', status: 503 });
    expect(await send(APP_ID)).toMatchObject({ kind: 'retry', status: 429, retryAfterMs: 30000 });
    expect(await send(APP_ID)).toMatchObject({ kind: 'delivered', status: 200 });
  });
});
