import { catalogEntry, translateEvent } from '@manifold/destination-kit';
import { validateDefinition } from '@manifold/destination-kit/testing';
import { KissmetricsEmulator } from '@manifold/emulators';
import { kissmetrics } from './index';
import {
  deliverAll,
  NOW,
  parsed,
  runTranslationCases,
  specEvent,
  TIMESTAMP_MS,
  type TranslationCase,
} from '../test-support/harness';

const KEY = 'km-product-key';
const T = Math.floor(TIMESTAMP_MS / 1000);
const get = (endpoint: string, params: Record<string, string | number>) => ({
  method: 'GET',
  path: `${endpoint}?${new URLSearchParams({ _k: KEY, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) }).toString()}`,
});
const at = (t = T) => ({ _t: t, _d: 1 });

const cases: TranslationCase[] = [
  {
    name: 'track: /e with the event, its properties, at the event time',
    event: specEvent({ type: 'track', event: 'Signed Up', properties: { plan: 'pro', seats: 3 } }),
    expect: { requests: [get('/e', { _p: 'user-1001', _n: 'Signed Up', ...at(), plan: 'pro', seats: 3 })] },
  },
  {
    name: 'track of an anonymous visitor: _p = anonymousId',
    event: specEvent({ type: 'track', userId: null, event: 'Viewed Pricing', properties: {} }),
    expect: { requests: [get('/e', { _p: 'anon-4d2b9c', _n: 'Viewed Pricing', ...at() })] },
  },
  {
    name: 'track: values cleaned as Kissmetrics takes them, each change a notice',
    event: specEvent({
      type: 'track',
      event: 'Profile Saved',
      properties: {
        address: { city: 'Paris' },
        tags: ['a', 'b', 3],
        trial: false,
        since: '2026-01-02T03:04:05.000Z',
        bio: 'b'.repeat(600),
        _p: 'spoof',
        gone: null,
      },
    }),
    expect: {
      requests: [
        get('/e', {
          _p: 'user-1001',
          _n: 'Profile Saved',
          ...at(),
          'address.city': 'Paris',
          tags: 'a,b,3',
          trial: 'false',
          since: Math.floor(Date.parse('2026-01-02T03:04:05.000Z') / 1000),
          bio: 'b'.repeat(512),
        }),
      ],
      notices: [
        { kind: 'converted', field: 'properties.address', reason: 'object flattened into address.… names' },
        { kind: 'converted', field: 'properties.tags', reason: 'list to string' },
        { kind: 'converted', field: 'properties.trial', reason: 'boolean to string' },
        { kind: 'converted', field: 'properties.since', reason: 'date-time sent as Unix seconds' },
        { kind: 'converted', field: 'properties.bio', reason: 'cut to 512 characters' },
        { kind: 'dropped', field: 'properties.gone', reason: 'no value (null)' },
        { kind: 'dropped', field: 'properties._p', reason: 'name reserved by Kissmetrics' },
      ],
    },
  },
  {
    name: 'track: an emoji straddling the 512-character cut is left out whole, not sent as half a character',
    event: specEvent({ type: 'track', event: 'Profile Saved', properties: { bio: `${'b'.repeat(511)}\u{1F600}!` } }),
    expect: {
      requests: [get('/e', { _p: 'user-1001', _n: 'Profile Saved', ...at(), bio: 'b'.repeat(511) })],
      notices: [{ kind: 'converted', field: 'properties.bio', reason: 'cut to 512 characters' }],
    },
  },
  {
    name: 'track with revenue: also "Billing Amount"; prefixed properties when the setting is on (never Billing Amount)',
    event: specEvent({ type: 'track', event: 'Upgraded', properties: { revenue: '24.5', plan: 'team' } }),
    settings: { prefixProperties: true },
    expect: {
      requests: [
        get('/e', {
          _p: 'user-1001',
          _n: 'Upgraded',
          ...at(),
          'Upgraded - revenue': '24.5',
          'Upgraded - plan': 'team',
          'Billing Amount': 24.5,
        }),
      ],
      notices: [{ kind: 'converted', field: 'revenue', reason: 'string to number' }],
    },
  },
  {
    name: 'Order Completed: the event without its products, then one /s per product, one second apart',
    event: specEvent({
      type: 'track',
      event: 'Order Completed',
      properties: {
        order_id: 'o-1',
        revenue: 35,
        products: [
          { sku: 'S-1', price: 30 },
          { sku: 'S-2', price: 5 },
        ],
      },
    }),
    expect: {
      requests: [
        get('/e', {
          _p: 'user-1001',
          _n: 'Order Completed',
          ...at(),
          order_id: 'o-1',
          revenue: 35,
          'Billing Amount': 35,
        }),
        get('/s', { _p: 'user-1001', ...at(T + 1), sku: 'S-1', price: 30 }),
        get('/s', { _p: 'user-1001', ...at(T + 2), sku: 'S-2', price: 5 }),
      ],
    },
  },
  {
    name: 'Order Completed without revenue: its total is the Billing Amount, as Segment did',
    event: specEvent({ type: 'track', event: 'Order Completed', properties: { order_id: 'o-2', total: 42.5 } }),
    expect: {
      requests: [
        get('/e', {
          _p: 'user-1001',
          _n: 'Order Completed',
          ...at(),
          order_id: 'o-2',
          total: 42.5,
          'Billing Amount': 42.5,
        }),
      ],
    },
  },
  {
    name: 'another event with a total but no revenue books no Billing Amount',
    event: specEvent({ type: 'track', event: 'Checkout Started', properties: { total: 42.5 } }),
    expect: { requests: [get('/e', { _p: 'user-1001', _n: 'Checkout Started', ...at(), total: 42.5 })] },
  },
  {
    name: 'other events keep their products as text',
    event: specEvent({ type: 'track', event: 'Cart Viewed', properties: { products: [{ sku: 'S-1' }] } }),
    expect: {
      requests: [get('/e', { _p: 'user-1001', _n: 'Cart Viewed', ...at(), products: '{"sku":"S-1"}' })],
      notices: [{ kind: 'converted', field: 'properties.products', reason: 'list to string' }],
    },
  },
  {
    name: 'page: "Viewed <name> Page", properties prefixed "Page - " with the name and category',
    event: specEvent({
      type: 'page',
      name: 'Docs',
      category: 'Help',
      properties: { url: 'https://docs.example.com/' },
    }),
    expect: {
      requests: [
        get('/e', {
          _p: 'user-1001',
          _n: 'Viewed Docs Page',
          ...at(),
          'Page - name': 'Docs',
          'Page - category': 'Help',
          'Page - url': 'https://docs.example.com/',
        }),
      ],
    },
  },
  {
    name: 'page with only a category, and without either',
    event: specEvent({ type: 'page', category: 'Help', properties: {} }),
    expect: { requests: [get('/e', { _p: 'user-1001', _n: 'Viewed Help Page', ...at(), 'Page - category': 'Help' })] },
  },
  {
    name: 'page without name or category: "Loaded a Page"',
    event: specEvent({ type: 'page', properties: {} }),
    expect: { requests: [get('/e', { _p: 'user-1001', _n: 'Loaded a Page', ...at() })] },
  },
  {
    name: 'screen: "Viewed <name> Screen", properties prefixed "Screen - "',
    event: specEvent({ type: 'screen', name: 'Home', properties: { tab: 'feed' } }),
    expect: {
      requests: [
        get('/e', {
          _p: 'user-1001',
          _n: 'Viewed Home Screen',
          ...at(),
          'Screen - name': 'Home',
          'Screen - tab': 'feed',
        }),
      ],
    },
  },
  {
    name: 'identify: /s with the traits, then /a joining the anonymousId to the userId',
    event: specEvent({ type: 'identify', traits: { email: 'ann@example.com', plan: 'pro' } }),
    expect: {
      requests: [
        get('/s', { _p: 'user-1001', ...at(), email: 'ann@example.com', plan: 'pro' }),
        get('/a', { _p: 'user-1001', _n: 'anon-4d2b9c' }),
      ],
    },
  },
  {
    name: 'identify of an anonymous visitor: /s only',
    event: specEvent({ type: 'identify', userId: null, traits: { plan: 'free' } }),
    expect: { requests: [get('/s', { _p: 'anon-4d2b9c', ...at(), plan: 'free' })] },
  },
  {
    name: 'identify without traits or another id: nothing to send',
    event: specEvent({ type: 'identify', userId: null, traits: {} }),
    expect: { drop: 'NOTHING_TO_SEND' },
  },
  {
    name: 'group: the traits on the calling person, "Group - " prefixed, with "Group - id"',
    event: specEvent({ type: 'group', groupId: 'acme', traits: { name: 'Acme', employees: 40 } }),
    expect: {
      requests: [
        get('/s', { _p: 'user-1001', ...at(), 'Group - name': 'Acme', 'Group - employees': 40, 'Group - id': 'acme' }),
      ],
    },
  },
  {
    name: 'alias: /a joining the previousId and the userId',
    event: specEvent({ type: 'alias', previousId: 'anon-4d2b9c' }),
    expect: { requests: [get('/a', { _p: 'anon-4d2b9c', _n: 'user-1001' })] },
  },
  {
    name: 'alias without userId is dropped, naming the field',
    event: specEvent({ type: 'alias', userId: null, previousId: 'x' }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'userId' },
  },
  {
    name: 'an event name over 255 characters is dropped, naming the field',
    event: specEvent({ type: 'track', event: 'e'.repeat(256) }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'event' },
  },
];

describe('Kissmetrics', () => {
  let km: KissmetricsEmulator;
  beforeAll(async () => {
    km = await new KissmetricsEmulator({ apiKey: KEY, now: () => NOW }).start();
  });
  afterAll(() => km.close());

  const base = () => ({ apiKey: KEY, apiBaseUrl: km.baseUrl });

  it('has a valid definition and catalog entry', () => {
    expect(validateDefinition(kissmetrics)).toEqual([]);
    expect(catalogEntry(kissmetrics)).toMatchObject({
      id: 'kissmetrics',
      name: 'Kissmetrics',
      secrets: { apiKey: 'whole', apiBaseUrl: 'url' },
      supportedCallTypes: ['identify', 'track', 'page', 'screen', 'group', 'alias'],
      settingsSchema: { properties: { apiBaseUrl: { default: 'https://trk.kissmetrics.io' } } },
    });
  });

  runTranslationCases(kissmetrics, cases, () => ({ baseSettings: base(), baseUrl: km.baseUrl }));

  it('Kissmetrics processed every call the cases sent (it answers 200 even to calls it drops)', () => {
    expect(km.calls.length).toBeGreaterThanOrEqual(17);
    expect(km.invalidCalls()).toEqual([]);
    // One person: the aliases joined the userId and the anonymousId (the visitor's identify came last).
    expect(km.person('anon-4d2b9c')).toMatchObject({
      email: 'ann@example.com',
      plan: 'free',
      sku: 'S-2',
      'group - id': 'acme',
    });
    expect(km.eventsOf('user-1001').map((e) => e.name)).toEqual(
      expect.arrayContaining(['Viewed Pricing', 'Order Completed']),
    );
    expect(km.eventsOf('user-1001').every((e) => e.time === T)).toBe(true);
  });

  it('a call too long for a URL goes as a form POST', async () => {
    const translation = translateEvent(
      kissmetrics,
      specEvent({
        type: 'track',
        event: 'Long',
        properties: { a: 'x'.repeat(500), b: 'y'.repeat(500), c: 'z'.repeat(500), d: 'w'.repeat(500) },
      }),
      parsed(kissmetrics, base()),
    );
    if (translation.kind !== 'requests') throw new Error('no requests');
    const [request] = translation.requests;
    expect(request).toMatchObject({
      method: 'POST',
      url: `${km.baseUrl}/e`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const [result] = await deliverAll(kissmetrics, translation.requests);
    expect(result?.outcome).toMatchObject({ kind: 'delivered' });
    expect(km.calls.at(-1)).toMatchObject({ endpoint: '/e', problems: [], params: { _n: 'Long', d: 'w'.repeat(500) } });
  });

  it('a retried event is recorded once (same person, name, time and properties); 5xx and network failures are retried', async () => {
    const translation = translateEvent(
      kissmetrics,
      specEvent({ type: 'track', event: 'Retried', properties: { n: 1 } }),
      parsed(kissmetrics, base()),
    );
    if (translation.kind !== 'requests') throw new Error('no requests');
    km.failNext(1, { status: 503 });
    expect((await deliverAll(kissmetrics, translation.requests))[0]?.outcome).toMatchObject({
      kind: 'retry',
      status: 503,
    });
    await deliverAll(kissmetrics, translation.requests);
    await deliverAll(kissmetrics, translation.requests);
    expect(km.events.filter((e) => e.name === 'Retried')).toHaveLength(1);
    expect(km.calls.filter((c) => c.params['_n'] === 'Retried').map((c) => c.duplicate)).toEqual([false, true]);
  });
});
