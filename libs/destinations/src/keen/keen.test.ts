import { buildRequests, catalogEntry, outcomesPerEvent, prepareEvent, translateEvent } from '@manifold/destination-kit';
import { validateDefinition } from '@manifold/destination-kit/testing';
import { KeenEmulator } from '@manifold/emulators';
import { keen, keenUniquenessToken } from './index';
import {
  deliverAll,
  parsed,
  prepareAll,
  runTranslationCases,
  specEvent,
  TIMESTAMP,
  type TranslationCase,
} from '../test-support/harness';

const PROJECT = '5f0c3b1e7d4a4c4e9a570e1c';
const WRITE_KEY = 'keen-write-key';
const MESSAGE_ID = specEvent({ type: 'track' }).messageId;
const UA = specEvent({ type: 'track' }).context?.userAgent;
const added = {
  userId: 'user-1001',
  anonymousId: 'anon-4d2b9c',
  page_url: 'https://shop.example.com/cart',
  referrer_url: 'https://google.com/',
  user_agent: UA,
  ip_address: '203.0.113.7',
};
const keenOf = (extra: Record<string, unknown> = {}) => ({
  keen: { timestamp: TIMESTAMP, uniqueness_token: MESSAGE_ID, addons: [], ...extra },
});
const events = (body: Record<string, unknown[]>) => ({
  method: 'POST',
  path: `/3.0/projects/${PROJECT}/events`,
  headers: { 'content-type': 'application/json', authorization: WRITE_KEY },
  json: body,
});

const cases: TranslationCase[] = [
  {
    name: 'track: the event in the collection of its name, with what Segment added and the keen object',
    event: specEvent({ type: 'track', event: 'Purchased', properties: { item: 'Shoe', revenue: 30 } }),
    expect: { requests: [events({ Purchased: [{ item: 'Shoe', revenue: 30, ...added, ...keenOf() }] })] },
  },
  {
    name: 'track of an anonymous visitor: userId = anonymousId; the context traits come along',
    event: specEvent({
      type: 'track',
      userId: null,
      event: 'Viewed Pricing',
      context: { traits: { plan: 'free' } },
    }),
    expect: {
      requests: [
        events({
          'Viewed Pricing': [
            { userId: 'anon-4d2b9c', anonymousId: 'anon-4d2b9c', traits: { plan: 'free' }, ...keenOf() },
          ],
        }),
      ],
    },
  },
  {
    name: 'the properties win over the added fields; lists and nested objects are kept',
    event: specEvent({
      type: 'track',
      event: 'Shared',
      context: {},
      properties: {
        userId: 'other',
        page_url: 'https://x.example/',
        tags: ['a', 'b'],
        items: [{ sku: 'x' }],
        geo: { lat: 1 },
      },
    }),
    expect: {
      requests: [
        events({
          Shared: [
            {
              userId: 'other',
              page_url: 'https://x.example/',
              tags: ['a', 'b'],
              items: [{ sku: 'x' }],
              geo: { lat: 1 },
              anonymousId: 'anon-4d2b9c',
              ...keenOf(),
            },
          ],
        }),
      ],
    },
  },
  {
    name: 'property names Keen refuses are rewritten at every depth, or left out when taken or too long',
    event: specEvent({
      type: 'track',
      event: 'Named',
      context: {},
      properties: {
        'a.b.c': 1,
        $price: 2,
        a_b_c: 3,
        nested: { 'x.y': 4, list: [{ 'p.q': 5 }] },
        ['n'.repeat(256)]: 6,
      },
    }),
    expect: {
      requests: [
        events({
          Named: [
            {
              a_b_c: 3,
              _price: 2,
              nested: { x_y: 4, list: [{ p_q: 5 }] },
              userId: 'user-1001',
              anonymousId: 'anon-4d2b9c',
              ...keenOf(),
            },
          ],
        }),
      ],
      notices: [
        {
          kind: 'converted',
          field: 'properties.nested.list[].p.q',
          reason: 'property name rewritten (. and a leading $ to _)',
        },
        {
          kind: 'converted',
          field: 'properties.nested.x.y',
          reason: 'property name rewritten (. and a leading $ to _)',
        },
        {
          kind: 'dropped',
          field: `properties.${'n'.repeat(188)}…`, // notices name at most 200 characters
          reason: 'property name longer than 255 characters',
        },
        { kind: 'dropped', field: 'properties.a.b.c', reason: 'its Keen name a_b_c is taken' },
        { kind: 'converted', field: 'properties.$price', reason: 'property name rewritten (. and a leading $ to _)' },
      ],
    },
  },
  {
    name: "the user's own keen object: its location, time and token kept, what Keen sets itself left out",
    event: specEvent({
      type: 'track',
      event: 'Checked In',
      context: {},
      properties: {
        keen: {
          location: { coordinates: [2.35, 48.85] },
          timestamp: '2026-05-31T10:00:00.000Z',
          uniqueness_token: 'tok-1',
          id: 'x',
        },
      },
    }),
    expect: {
      requests: [
        events({
          'Checked In': [
            {
              userId: 'user-1001',
              anonymousId: 'anon-4d2b9c',
              keen: {
                location: { coordinates: [2.35, 48.85] },
                timestamp: '2026-05-31T10:00:00.000Z',
                uniqueness_token: 'tok-1',
                addons: [],
              },
            },
          ],
        }),
      ],
      notices: [{ kind: 'dropped', field: 'properties.keen.id', reason: 'set by Keen itself' }],
    },
  },
  {
    name: "the user's own keen object: a time that is not ISO-8601 and add-ons Keen would refuse are left out alone",
    event: specEvent({
      type: 'track',
      event: 'Checked In',
      context: {},
      properties: {
        ip: '198.51.100.4',
        keen: {
          timestamp: '2026-05-31 10:00',
          addons: [
            { name: 'keen:ip_to_geo', input: { ip: 'ip' }, output: 'geo' },
            { name: 'keen:weather', input: { ip: 'ip' }, output: 'weather' },
            { name: 'keen:ua_parser', input: { ua_string: 'browser' }, output: 'ua' },
          ],
        },
      },
    }),
    expect: {
      requests: [
        events({
          'Checked In': [
            {
              ip: '198.51.100.4',
              userId: 'user-1001',
              anonymousId: 'anon-4d2b9c',
              ...keenOf({ addons: [{ name: 'keen:ip_to_geo', input: { ip: 'ip' }, output: 'geo' }] }),
            },
          ],
        }),
      ],
      notices: [
        { kind: 'dropped', field: 'properties.keen.timestamp', reason: 'not an ISO-8601 date-time' },
        { kind: 'dropped', field: 'properties.keen.addons[]', reason: 'not an add-on Keen knows' },
        {
          kind: 'dropped',
          field: 'properties.keen.addons[]',
          reason: 'an input of the add-on names no property of the event',
        },
      ],
    },
  },
  {
    name: 'an event name Keen refuses as a collection name is made valid, with a notice',
    event: specEvent({ type: 'track', event: '_$Big Order – Ünïcode', context: {}, properties: {} }),
    expect: {
      requests: [events({ 'Big Order _ _n_code': [{ userId: 'user-1001', anonymousId: 'anon-4d2b9c', ...keenOf() }] })],
      notices: [
        { kind: 'converted', field: 'collection', reason: "event name changed to fit Keen's collection-name rules" },
      ],
    },
  },
  {
    name: 'a messageId over 64 characters becomes its SHA-256 as the uniqueness token',
    event: specEvent({ type: 'track', event: 'E', context: {}, messageId: 'm'.repeat(80) }),
    expect: {
      requests: [
        events({
          E: [
            {
              userId: 'user-1001',
              anonymousId: 'anon-4d2b9c',
              ...keenOf({ uniqueness_token: keenUniquenessToken('m'.repeat(80)) }),
            },
          ],
        }),
      ],
    },
  },
  {
    name: 'page with name and category: "Viewed <category> <name> Page" and "Viewed <category> Page"',
    event: specEvent({ type: 'page', name: 'Cart', category: 'Shop', properties: { title: 'Cart' } }),
    expect: {
      requests: [
        events({
          'Viewed Shop Cart Page': [{ title: 'Cart', name: 'Cart', category: 'Shop', ...added, ...keenOf() }],
          'Viewed Shop Page': [{ title: 'Cart', name: 'Cart', category: 'Shop', ...added, ...keenOf() }],
        }),
      ],
    },
  },
  {
    name: 'page with every page setting on: "Loaded a Page" too; properties.url is the page URL',
    event: specEvent({ type: 'page', name: 'Docs', properties: { url: 'https://docs.example.com/' } }),
    settings: { trackAllPages: true },
    expect: {
      requests: [
        events({
          'Loaded a Page': [
            {
              url: 'https://docs.example.com/',
              name: 'Docs',
              ...added,
              page_url: 'https://docs.example.com/',
              ...keenOf(),
            },
          ],
          'Viewed Docs Page': [
            {
              url: 'https://docs.example.com/',
              name: 'Docs',
              ...added,
              page_url: 'https://docs.example.com/',
              ...keenOf(),
            },
          ],
        }),
      ],
    },
  },
  {
    name: 'page without name or category and the default settings: nothing to send',
    event: specEvent({ type: 'page' }),
    expect: { drop: 'NOTHING_TO_SEND' },
  },
  {
    name: 'screen: "Viewed <name> Screen"',
    event: specEvent({ type: 'screen', name: 'Home', context: {}, properties: {} }),
    expect: {
      requests: [
        events({
          'Viewed Home Screen': [{ name: 'Home', userId: 'user-1001', anonymousId: 'anon-4d2b9c', ...keenOf() }],
        }),
      ],
    },
  },
  {
    name: 'add-ons turned on for the inputs the event has',
    event: specEvent({ type: 'track', event: 'Visited', properties: {} }),
    settings: { ipAddon: true, uaAddon: true, urlAddon: true, referrerAddon: true },
    expect: {
      requests: [
        events({
          Visited: [
            {
              ...added,
              ...keenOf({
                addons: [
                  { name: 'keen:ip_to_geo', input: { ip: 'ip_address' }, output: 'ip_geo_info' },
                  { name: 'keen:ua_parser', input: { ua_string: 'user_agent' }, output: 'parsed_user_agent' },
                  { name: 'keen:url_parser', input: { url: 'page_url' }, output: 'parsed_page_url' },
                  {
                    name: 'keen:referrer_parser',
                    input: { referrer_url: 'referrer_url', page_url: 'page_url' },
                    output: 'referrer_info',
                  },
                ],
              }),
            },
          ],
        }),
      ],
    },
  },
  {
    name: 'identify is not supported',
    event: specEvent({ type: 'identify' }),
    expect: { drop: 'UNSUPPORTED_EVENT_TYPE' },
  },
  {
    name: 'group is not supported',
    event: specEvent({ type: 'group', groupId: 'g' }),
    expect: { drop: 'UNSUPPORTED_EVENT_TYPE' },
  },
  {
    name: 'alias is not supported',
    event: specEvent({ type: 'alias', previousId: 'anon-4d2b9c' }),
    expect: { drop: 'UNSUPPORTED_EVENT_TYPE' },
  },
];

describe('Keen', () => {
  let kn: KeenEmulator;
  beforeAll(async () => {
    kn = await new KeenEmulator({ projectId: PROJECT, writeKey: WRITE_KEY, rejectListsOfObjects: false }).start();
  });
  afterAll(() => kn.close());

  const base = () => ({ projectId: PROJECT, writeKey: WRITE_KEY, apiBaseUrl: kn.baseUrl });

  it('has a valid definition and catalog entry', () => {
    expect(validateDefinition(keen)).toEqual([]);
    expect(catalogEntry(keen)).toMatchObject({
      id: 'keen',
      name: 'Keen',
      secrets: { writeKey: 'whole', apiBaseUrl: 'url' },
      supportedCallTypes: ['track', 'page', 'screen'],
      settingsSchema: { properties: { apiBaseUrl: { default: 'https://api.keen.io' } } },
    });
  });

  runTranslationCases(keen, cases, () => ({ baseSettings: base(), baseUrl: kn.baseUrl }));

  it('the emulator recorded the events, ran the add-ons, and kept one event per uniqueness token and collection', () => {
    expect(kn.collection('Purchased')).toHaveLength(1);
    expect(kn.collection('Purchased')[0]).toMatchObject({
      item: 'Shoe',
      keen: { timestamp: TIMESTAMP, created_at: expect.any(String) },
    });
    expect(kn.collection('Visited')[0]).toMatchObject({
      ip_geo_info: { ip: '203.0.113.7' },
      parsed_user_agent: { ua_string: UA },
      referrer_info: { referrer_url: 'https://google.com/' },
    });
    expect(kn.events.filter((e) => e.flagged).map((e) => e.collection)).toEqual(['Shared', 'Named']);
    expect(kn.duplicatesIgnored).toBe(0);
  });

  it('batches events of several collections; a retried batch records nothing twice', async () => {
    kn.reset();
    const settings = parsed(keen, base());
    const prepared = prepareAll(
      keen,
      [
        specEvent({ type: 'track', event: 'A', messageId: 'm-1' }),
        specEvent({ type: 'page', name: 'P', category: 'C', messageId: 'm-2' }),
        specEvent({ type: 'track', event: 'A', messageId: 'm-3' }),
      ],
      settings,
    );
    const requests = buildRequests(
      keen,
      'recordEvent',
      prepared.map((p) => p.payload),
      settings,
    );
    expect(requests).toHaveLength(1);
    expect(requests[0]?.itemEvents).toEqual([0, 2, 1, 1]);
    await deliverAll(keen, requests);
    const [again] = await deliverAll(keen, requests);
    expect(again?.outcome).toMatchObject({ kind: 'delivered' });
    expect(kn.events.map((e) => e.collection)).toEqual(['A', 'A', 'Viewed C P Page', 'Viewed C Page']);
    expect(kn.duplicatesIgnored).toBe(4);
  });

  it('an event Keen refuses inside a 200 is rejected alone; its InternalServerError is retried', async () => {
    const settings = parsed(keen, base());
    const payloads = ['A', 'B', 'C'].map((name, i) => {
      const p = prepareEvent(keen, specEvent({ type: 'track', event: name, messageId: `x-${i}` }), settings);
      if (!('payload' in p)) throw new Error(p.message);
      return p.payload;
    });
    const [request] = buildRequests(keen, 'recordEvent', payloads, settings);
    kn.failNext(1, {
      status: 200,
      body: {
        A: [{ success: true }],
        B: [{ success: false, error: { name: 'InvalidPropertyNameError', description: 'bad name' } }],
        C: [{ success: false, error: { name: 'InternalServerError', description: 'try again' } }],
      },
    });
    const [result] = await deliverAll(keen, [request!]);
    expect(outcomesPerEvent(request!, result!.outcome, 3)).toMatchObject([
      { kind: 'delivered' },
      { kind: 'dead-letter', reason: 'REJECTED', message: 'Keen refused B[0]: InvalidPropertyNameError: bad name' },
      { kind: 'retry' },
    ]);
  });

  it('a wrong key or project is a permanent failure; 429 and 5xx are retried', async () => {
    const send = async (extra: Record<string, unknown>) => {
      const t = translateEvent(keen, specEvent({ type: 'track', event: 'X' }), parsed(keen, { ...base(), ...extra }));
      if (t.kind !== 'requests') throw new Error('no requests');
      return (await deliverAll(keen, t.requests))[0];
    };
    expect(await send({ writeKey: 'wrong' })).toMatchObject({
      response: { status: 401 },
      outcome: { kind: 'dead-letter', reason: 'REJECTED', status: 401 },
    });
    expect((await send({ projectId: 'abc123' }))?.outcome).toMatchObject({ kind: 'dead-letter', status: 404 });
    kn.failNext(1, { status: 503 });
    kn.failNext(1, { status: 429, retryAfterSeconds: 7 });
    expect((await send({}))?.outcome).toMatchObject({ kind: 'retry', status: 503 });
    expect((await send({}))?.outcome).toMatchObject({ kind: 'retry', status: 429, retryAfterMs: 7000 });
    expect((await send({}))?.outcome).toMatchObject({ kind: 'delivered', status: 200 });
  });
});
