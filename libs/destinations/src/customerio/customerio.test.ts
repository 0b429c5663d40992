import { buildRequests, catalogEntry, outcomesPerEvent, prepareEvent, translateEvent } from '@manifold/destination-kit';
import { validateDefinition } from '@manifold/destination-kit/testing';
import { CustomerioEmulator } from '@manifold/emulators';
import { customerio } from './index';
import { deliverAll, parsed, runTranslationCases, specEvent, type TranslationCase } from '../test-support/harness';

const SITE = 'site-1';
const KEY = 'key-1';
const AUTH = `Basic ${Buffer.from(`${SITE}:${KEY}`).toString('base64')}`;
const T = 1780315140; // TIMESTAMP in Unix seconds
const entity = (body: unknown) => ({
  method: 'POST',
  path: '/api/v2/entity',
  headers: { authorization: AUTH, 'content-type': 'application/json' },
  json: body,
});

const batch = (...entities: unknown[]) => ({
  method: 'POST',
  path: '/api/v2/batch',
  headers: { authorization: AUTH, 'content-type': 'application/json' },
  json: { batch: entities },
});
const lifecycle = (event: string, device: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  specEvent({
    type: 'track',
    event,
    messageId: 'm-life',
    anonymousId: null,
    context: { device, os: { name: 'Android', version: '14' }, app: { version: '3.2.1' }, locale: 'fr-FR' },
    ...extra,
  });
const lifecycleEvent = (name: string, identifiers: Record<string, string> = { id: 'user-1001' }) => ({
  type: 'person',
  action: 'event',
  identifiers,
  name,
  id: 'm-life',
  timestamp: T,
  attributes: {},
});

const cases: TranslationCase[] = [
  {
    name: 'identify: person by userId, traits as attributes with created_at, email and anonymous_id',
    event: specEvent({
      type: 'identify',
      traits: { email: 'ann@example.com', plan: 'pro', createdAt: '2025-01-02T03:04:05Z', lastSeen: '2026-05-01' },
    }),
    expect: {
      requests: [
        entity({
          type: 'person',
          action: 'identify',
          identifiers: { id: 'user-1001' },
          attributes: {
            email: 'ann@example.com',
            plan: 'pro',
            lastSeen: Date.parse('2026-05-01') / 1000,
            created_at: Date.parse('2025-01-02T03:04:05Z') / 1000,
            anonymous_id: 'anon-4d2b9c',
          },
          timestamp: T,
        }),
      ],
    },
  },
  {
    name: 'identify without userId: the email is the identifier; convertTimestamps off keeps ISO strings',
    event: specEvent({ type: 'identify', userId: null, traits: { email: 'bob@example.com', since: '2025-01-02' } }),
    settings: { convertTimestamps: false },
    expect: {
      requests: [
        entity({
          type: 'person',
          action: 'identify',
          identifiers: { email: 'bob@example.com' },
          attributes: { email: 'bob@example.com', since: '2025-01-02', anonymous_id: 'anon-4d2b9c' },
          timestamp: T,
        }),
      ],
    },
  },
  {
    name: 'identify with traits.objectId relates the person to the object',
    event: specEvent({
      type: 'identify',
      userId: 'cio_abc123',
      anonymousId: null,
      traits: { objectId: 'acme', objectTypeId: '2', relationshipAttributes: { role: 'admin' } },
    }),
    expect: {
      requests: [
        entity({
          type: 'person',
          action: 'identify',
          identifiers: { cio_id: 'abc123' },
          attributes: { objectId: 'acme' },
          timestamp: T,
          cio_relationships: [
            { identifiers: { object_type_id: '2', object_id: 'acme' }, relationship_attributes: { role: 'admin' } },
          ],
        }),
      ],
    },
  },
  {
    name: 'identify of an anonymous person is dropped: Customer.io needs an id or an email',
    event: specEvent({ type: 'identify', userId: null, traits: { plan: 'free' } }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'no userId and no traits.email' },
  },
  {
    name: 'track: event with messageId as dedup id, Unix seconds, properties as attributes',
    event: specEvent({
      type: 'track',
      event: 'Order Completed',
      properties: { total: 30, currency: 'EUR', shippedAt: '2026-06-02T10:00:00Z' },
    }),
    expect: {
      requests: [
        entity({
          type: 'person',
          action: 'event',
          identifiers: { id: 'user-1001' },
          name: 'Order Completed',
          id: 'ajs-next-1780314000000-6f0c3b1e-7d4a-4c4e-9a57-0e1c2d3f4a5b',
          timestamp: T,
          attributes: {
            total: 30,
            currency: 'EUR',
            shippedAt: Date.parse('2026-06-02T10:00:00Z') / 1000,
            anonymous_id: 'anon-4d2b9c',
          },
        }),
      ],
    },
  },
  {
    name: 'track of an anonymous visitor names them by anonymous_id',
    event: specEvent({ type: 'track', userId: null, event: 'Signed Up', messageId: 'm-2' }),
    expect: {
      requests: [
        entity({
          type: 'person',
          action: 'event',
          identifiers: { anonymous_id: 'anon-4d2b9c' },
          name: 'Signed Up',
          id: 'm-2',
          timestamp: T,
          attributes: {},
        }),
      ],
    },
  },
  {
    name: 'track with a name over 100 bytes: the name is cut (at a character), the event tracked',
    event: specEvent({ type: 'track', event: `${'x'.repeat(99)}é and more`, messageId: 'm-long', anonymousId: null }),
    expect: {
      requests: [
        entity({
          type: 'person',
          action: 'event',
          identifiers: { id: 'user-1001' },
          name: 'x'.repeat(99),
          id: 'm-long',
          timestamp: T,
          attributes: {},
        }),
      ],
      notices: [{ kind: 'converted', field: 'name', reason: 'cut to 100 bytes' }],
    },
  },
  {
    name: 'track with one property over 32 KB: that property is left out, the event tracked',
    event: specEvent({
      type: 'track',
      event: 'Exported',
      messageId: 'm-big',
      anonymousId: null,
      properties: { rows: 12, csv: 'x'.repeat(40_000) },
    }),
    expect: {
      requests: [
        entity({
          type: 'person',
          action: 'event',
          identifiers: { id: 'user-1001' },
          name: 'Exported',
          id: 'm-big',
          timestamp: T,
          attributes: { rows: 12 },
        }),
      ],
      notices: [{ kind: 'dropped', field: 'attributes.csv', reason: 'the person event would exceed 32768 bytes' }],
    },
  },
  {
    name: 'identify with one trait over 1000 bytes: that attribute is left out, the person updated',
    event: specEvent({ type: 'identify', anonymousId: null, traits: { plan: 'pro', bio: 'b'.repeat(1500) } }),
    expect: {
      requests: [
        entity({
          type: 'person',
          action: 'identify',
          identifiers: { id: 'user-1001' },
          attributes: { plan: 'pro' },
          timestamp: T,
        }),
      ],
      notices: [{ kind: 'dropped', field: 'attributes.bio', reason: 'value longer than 1000 bytes' }],
    },
  },
  {
    name: 'page from a server SDK, with a name and a category but no URL: named by its name',
    event: specEvent({
      type: 'page',
      name: 'Getting Started',
      category: 'Docs',
      messageId: 'm-srv',
      anonymousId: null,
      context: { library: { name: 'analytics-go', version: '3.3.0' } },
      properties: { section: 2 },
    }),
    expect: {
      requests: [
        entity({
          type: 'person',
          action: 'page',
          identifiers: { id: 'user-1001' },
          name: 'Getting Started',
          id: 'm-srv',
          timestamp: T,
          attributes: { section: 2, name: 'Getting Started', category: 'Docs' },
        }),
      ],
    },
  },
  {
    name: 'page: named by properties.url',
    event: specEvent({
      type: 'page',
      name: 'Cart',
      messageId: 'm-3',
      properties: { url: 'https://shop.example.com/cart', title: 'Cart' },
    }),
    expect: {
      requests: [
        entity({
          type: 'person',
          action: 'page',
          identifiers: { id: 'user-1001' },
          name: 'https://shop.example.com/cart',
          id: 'm-3',
          timestamp: T,
          attributes: {
            url: 'https://shop.example.com/cart',
            title: 'Cart',
            name: 'Cart',
            anonymous_id: 'anon-4d2b9c',
          },
        }),
      ],
    },
  },
  {
    name: 'page without properties.url falls back to context.page.url',
    event: specEvent({ type: 'page', messageId: 'm-4', anonymousId: null, properties: {} }),
    expect: {
      requests: [
        entity({
          type: 'person',
          action: 'page',
          identifiers: { id: 'user-1001' },
          name: 'https://shop.example.com/cart',
          id: 'm-4',
          timestamp: T,
          attributes: {},
        }),
      ],
    },
  },
  {
    name: 'screen: named by the screen name',
    event: specEvent({ type: 'screen', name: 'Home', messageId: 'm-5', anonymousId: null, properties: { tab: 2 } }),
    expect: {
      requests: [
        entity({
          type: 'person',
          action: 'screen',
          identifiers: { id: 'user-1001' },
          name: 'Home',
          id: 'm-5',
          timestamp: T,
          attributes: { tab: 2 },
        }),
      ],
    },
  },
  {
    name: 'screen without a name is dropped',
    event: specEvent({ type: 'screen', properties: {} }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'name' },
  },
  {
    name: 'group: object type "1" identified and related to the user',
    event: specEvent({
      type: 'group',
      groupId: 'acme',
      traits: { objectAttributes: { name: 'Acme', since: '2020-01-01' }, relationshipAttributes: { role: 'owner' } },
    }),
    expect: {
      requests: [
        entity({
          type: 'object',
          action: 'identify',
          identifiers: { object_type_id: '1', object_id: 'acme' },
          attributes: { name: 'Acme', since: Date.parse('2020-01-01') / 1000 },
          cio_relationships: [{ identifiers: { id: 'user-1001' }, relationship_attributes: { role: 'owner' } }],
        }),
      ],
    },
  },
  {
    name: 'group of an anonymous visitor uses identify_anonymous',
    event: specEvent({ type: 'group', userId: null, groupId: 'acme', traits: { objectTypeId: 3 } }),
    expect: {
      requests: [
        entity({
          type: 'object',
          action: 'identify_anonymous',
          identifiers: { object_type_id: '3', object_id: 'acme' },
          attributes: {},
          cio_relationships: [{ identifiers: { anonymous_id: 'anon-4d2b9c' } }],
        }),
      ],
    },
  },
  {
    name: 'alias: merge, previousId into userId, no root identifiers',
    event: specEvent({ type: 'alias', previousId: 'old@example.com' }),
    expect: {
      requests: [
        entity({
          type: 'person',
          action: 'merge',
          primary: { id: 'user-1001' },
          secondary: { email: 'old@example.com' },
        }),
      ],
    },
  },
  {
    name: '"User Suppressed" suppresses the person instead of tracking an event',
    event: specEvent({ type: 'track', event: 'User Suppressed' }),
    expect: {
      requests: [entity({ type: 'person', action: 'suppress', identifiers: { id: 'user-1001' } })],
    },
  },
  {
    name: '"Application Uninstalled" from a device of type "mobile": the device is deleted and the event tracked',
    event: lifecycle('Application Uninstalled', { token: 'fcm-token-9', type: 'mobile' }),
    expect: {
      requests: [
        batch(
          {
            type: 'person',
            action: 'delete_device',
            identifiers: { id: 'user-1001' },
            device: { token: 'fcm-token-9' },
          },
          lifecycleEvent('Application Uninstalled'),
        ),
      ],
    },
  },
  {
    name: '"Application Uninstalled" from the web: the device is deleted and the event tracked',
    event: lifecycle('Application Uninstalled', { token: 'web-token-1', type: 'web' }),
    expect: {
      requests: [
        batch(
          {
            type: 'person',
            action: 'delete_device',
            identifiers: { id: 'user-1001' },
            device: { token: 'web-token-1' },
          },
          lifecycleEvent('Application Uninstalled'),
        ),
      ],
    },
  },
  {
    name: '"Application Installed" of a "mobile" device takes the platform from context.os, with device attributes',
    event: lifecycle('Application Installed', {
      token: 'fcm-token-9',
      type: 'mobile',
      model: 'Pixel 8',
      manufacturer: 'Google',
    }),
    expect: {
      requests: [
        batch(
          {
            type: 'person',
            action: 'add_device',
            identifiers: { id: 'user-1001' },
            device: {
              token: 'fcm-token-9',
              platform: 'android',
              last_used: T,
              attributes: {
                device_os: '14',
                device_model: 'Pixel 8',
                device_manufacturer: 'Google',
                app_version: '3.2.1',
                device_locale: 'fr-FR',
              },
            },
          },
          lifecycleEvent('Application Installed'),
        ),
      ],
    },
  },
  {
    name: '"Application Opened" of a web push token: the event is tracked, the device cannot be (ios/android only)',
    event: lifecycle(
      'Application Opened',
      { token: 'web-token-1', type: 'web' },
      { context: { device: { token: 'web-token-1', type: 'web' } } },
    ),
    expect: {
      requests: [entity(lifecycleEvent('Application Opened'))],
      notices: [
        {
          kind: 'dropped',
          field: 'device',
          reason: 'Customer.io registers ios and android devices only: only the event is tracked',
        },
      ],
    },
  },
  {
    name: '"Application Uninstalled" of an anonymous device: the event is tracked (a device needs a person)',
    event: lifecycle(
      'Application Uninstalled',
      { token: 'fcm-token-9', type: 'android' },
      { userId: null, anonymousId: 'anon-7' },
    ),
    expect: {
      requests: [entity(lifecycleEvent('Application Uninstalled', { anonymous_id: 'anon-7' }))],
      notices: [
        {
          kind: 'dropped',
          field: 'device',
          reason: 'a device belongs to a known person (userId): only the event is tracked',
        },
      ],
    },
  },
  {
    name: '"Device Deleted" deletes the device too',
    event: lifecycle('Device Deleted', { token: 'fcm-token-9', type: 'android' }),
    expect: {
      requests: [
        batch(
          {
            type: 'person',
            action: 'delete_device',
            identifiers: { id: 'user-1001' },
            device: { token: 'fcm-token-9' },
          },
          lifecycleEvent('Device Deleted'),
        ),
      ],
    },
  },
  {
    name: 'group: the group traits are the object attributes; objectAttributes add to them',
    event: specEvent({
      type: 'group',
      groupId: 'globex',
      traits: {
        name: 'Globex',
        industry: 'Energy',
        employees: 120,
        plan: 'enterprise',
        createdAt: '2019-05-01T00:00:00Z',
        address: { city: 'Springfield' },
        objectTypeId: '2',
        objectAttributes: { tier: 'gold' },
        relationshipAttributes: { role: 'admin' },
      },
    }),
    expect: {
      requests: [
        entity({
          type: 'object',
          action: 'identify',
          identifiers: { object_type_id: '2', object_id: 'globex' },
          attributes: {
            name: 'Globex',
            industry: 'Energy',
            employees: 120,
            plan: 'enterprise',
            address: { city: 'Springfield' },
            tier: 'gold',
            created_at: Date.parse('2019-05-01T00:00:00Z') / 1000,
          },
          cio_relationships: [{ identifiers: { id: 'user-1001' }, relationship_attributes: { role: 'admin' } }],
        }),
      ],
    },
  },
];

const device = specEvent({
  type: 'track',
  event: 'Application Opened',
  messageId: 'm-device',
  anonymousId: null,
  context: { device: { token: 'apns-token-1', type: 'iOS' } },
});

describe('Customer.io', () => {
  let cio: CustomerioEmulator;
  beforeAll(async () => {
    cio = await new CustomerioEmulator({ siteId: SITE, apiKey: KEY }).start();
  });
  afterAll(() => cio.close());

  const base = () => ({ siteId: SITE, apiKey: KEY, apiBaseUrl: cio.baseUrl });

  it('has a valid definition and catalog entry', () => {
    expect(validateDefinition(customerio)).toEqual([]);
    const entry = catalogEntry(customerio);
    expect(entry).toMatchObject({
      id: 'customerio',
      name: 'Customer.io',
      secrets: { siteId: 'whole', apiKey: 'whole', apiBaseUrl: 'url' },
      supportedCallTypes: ['identify', 'track', 'page', 'screen', 'group', 'alias'],
    });
    expect(entry.settingsSchema).toMatchObject({
      properties: { apiBaseUrl: { default: 'https://track.customer.io' } },
    });
  });

  runTranslationCases(customerio, cases, () => ({ baseSettings: base(), baseUrl: cio.baseUrl }));

  it('the emulator kept what the cases sent: one event per messageId, people, objects, merges', () => {
    expect(cio.person({ id: 'user-1001' })?.attributes).toMatchObject({ plan: 'pro', email: 'ann@example.com' });
    expect(cio.objects.get('1:acme')?.relationships).toEqual([
      { identifiers: { id: 'user-1001' }, attributes: { role: 'owner' } },
    ]);
    expect(cio.merges).toEqual([{ primary: { id: 'user-1001' }, secondary: { email: 'old@example.com' } }]);
    expect(cio.person({ id: 'user-1001' })?.suppressed).toBe(true);
  });

  it('"Application Opened" with a push token adds the device and tracks the event, in one batch', async () => {
    const translation = translateEvent(customerio, device, parsed(customerio, base()));
    if (translation.kind !== 'requests') throw new Error(JSON.stringify(translation));
    expect(translation.requests).toHaveLength(1);
    const [request] = translation.requests;
    expect(request?.url).toBe(`${cio.baseUrl}/api/v2/batch`);
    expect(request?.itemEvents).toEqual([0, 0]);
    expect(JSON.parse(request?.body ?? '')).toEqual({
      batch: [
        {
          type: 'person',
          action: 'add_device',
          identifiers: { id: 'user-1001' },
          device: { token: 'apns-token-1', platform: 'ios', last_used: T },
        },
        {
          type: 'person',
          action: 'event',
          identifiers: { id: 'user-1001' },
          name: 'Application Opened',
          id: 'm-device',
          timestamp: T,
          attributes: {},
        },
      ],
    });
    const [result] = await deliverAll(customerio, translation.requests);
    expect(outcomesPerEvent(request!, result!.outcome, 1)).toEqual([{ kind: 'delivered', status: 200 }]);
    expect(cio.person({ id: 'user-1001' })?.devices['apns-token-1']).toMatchObject({ platform: 'ios' });
  });

  it('batches up to batchSize; one invalid entry is rejected by index and only its event dead-lettered', async () => {
    const settings = parsed(customerio, { ...base(), batchSize: 3 });
    const events = [
      specEvent({ type: 'track', event: 'A', messageId: 'b-1' }),
      // An identifier over Customer.io's 150 bytes: the API refuses this person.
      specEvent({ type: 'identify', messageId: 'b-2', userId: 'u'.repeat(151), traits: { plan: 'pro' } }),
      specEvent({ type: 'track', event: 'C', messageId: 'b-3' }),
    ];
    const payloads = events.map((e) => {
      const prepared = prepareEvent(customerio, e, settings);
      if (!('payload' in prepared)) throw new Error(prepared.message);
      return prepared;
    });
    expect(payloads.map((p) => p.batchKey)).toEqual(['trackEvent:', 'createUpdatePerson:', 'trackEvent:']);
    // Same action batches together: the two tracks in one /batch request.
    const tracks = buildRequests(customerio, 'trackEvent', [payloads[0]!.payload, payloads[2]!.payload], settings);
    expect(tracks.map((r) => [r.url, r.itemEvents])).toEqual([[`${cio.baseUrl}/api/v2/batch`, [0, 1]]]);
    const [tracked] = await deliverAll(customerio, tracks);
    expect(outcomesPerEvent(tracks[0]!, tracked!.outcome, 2).map((o) => o.kind)).toEqual(['delivered', 'delivered']);

    const mixed = buildRequests(
      customerio,
      'createUpdatePerson',
      [payloads[1]!.payload, prepareIdentify(settings)],
      settings,
    );
    const [answer] = await deliverAll(customerio, mixed);
    expect(answer?.response.status).toBe(207);
    expect(outcomesPerEvent(mixed[0]!, answer!.outcome, 2)).toEqual([
      {
        kind: 'dead-letter',
        reason: 'REJECTED',
        status: 400,
        message: 'Customer.io rejected batch entry 0: identifiers.id: cannot be longer than 150 bytes',
      },
      { kind: 'delivered', status: 207 },
    ]);
  });

  it('cuts batches at 500 KB and drops an entity that cannot fit 32 KB with the reason', () => {
    const settings = parsed(customerio, { ...base(), batchSize: 100 });
    const big = (i: number) =>
      prepareEvent(
        customerio,
        specEvent({ type: 'track', event: 'Big', messageId: `big-${i}`, properties: { blob: 'x'.repeat(30_000) } }),
        settings,
      );
    const payloads = Array.from({ length: 40 }, (_v, i) => {
      const prepared = big(i);
      if (!('payload' in prepared)) throw new Error(prepared.message);
      return prepared.payload;
    });
    const requests = buildRequests(customerio, 'trackEvent', payloads, settings);
    expect(requests.length).toBeGreaterThan(2);
    for (const request of requests) expect(Buffer.byteLength(request.body ?? '')).toBeLessThanOrEqual(500 * 1024);
    expect(requests.flatMap((r) => r.itemEvents)).toEqual(payloads.map((_p, i) => i));
    const huge = translateEvent(
      customerio,
      specEvent({ type: 'track', event: 'Huge', userId: 'u'.repeat(40_000) }),
      settings,
    );
    expect(huge).toMatchObject({ kind: 'drop', reason: 'INVALID_PAYLOAD' });
  });

  it('wrong credentials are a permanent failure; 500 and 429 are retried', async () => {
    const translation = translateEvent(
      customerio,
      specEvent({ type: 'track', event: 'X', messageId: 'r-1' }),
      parsed(customerio, { ...base(), apiKey: 'wrong' }),
    );
    if (translation.kind !== 'requests') throw new Error('no requests');
    const [rejected] = await deliverAll(customerio, translation.requests);
    expect(rejected?.outcome).toMatchObject({ kind: 'dead-letter', reason: 'REJECTED', status: 401 });
    cio.failNext(1, { status: 500 });
    cio.failNext(1, { status: 429, retryAfterSeconds: 3 });
    const good = translateEvent(
      customerio,
      specEvent({ type: 'track', event: 'X', messageId: 'r-1' }),
      parsed(customerio, base()),
    );
    if (good.kind !== 'requests') throw new Error('no requests');
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push((await deliverAll(customerio, good.requests))[0]?.outcome);
    expect(outcomes).toMatchObject([
      { kind: 'retry', status: 500 },
      { kind: 'retry', status: 429, retryAfterMs: 3000 },
      { kind: 'delivered' },
    ]);
  });
});

function prepareIdentify(settings: ReturnType<typeof parsed<typeof customerio.settings>>) {
  const prepared = prepareEvent(
    customerio,
    specEvent({ type: 'identify', messageId: 'b-4', traits: { ok: true } }),
    settings,
  );
  if (!('payload' in prepared)) throw new Error(prepared.message);
  return prepared.payload;
}
