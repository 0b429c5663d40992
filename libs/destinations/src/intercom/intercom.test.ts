import {
  catalogEntry,
  Notices,
  translateEvent,
  type FieldNotice,
  type Outcome,
  type RequestDescriptor,
} from '@manifold/destination-kit';
import { validateDefinition } from '@manifold/destination-kit/testing';
import type { SpecEvent } from '@manifold/events';
import { IntercomEmulator } from '@manifold/emulators';
import { classifyIntercomResponse } from './classify-response';
import { intercom, type IntercomSettings } from './index';
import {
  deliver,
  expectRequests,
  NOW,
  parsed,
  runFlow as sendFlow,
  specEvent,
  type ExpectedRequest,
} from '../test-support/harness';

const TOKEN = 'ic-access-token';
const T = 1780315140; // TIMESTAMP in Unix seconds
const FIRST_ID = `66a1${'1'.padStart(20, '0')}`;
const SECOND_ID = `66a1${'2'.padStart(20, '0')}`;
const HEADERS = { authorization: `Bearer ${TOKEN}`, 'intercom-version': '2.11', 'content-type': 'application/json' };

const search = (field: string, value: string): ExpectedRequest => ({
  method: 'POST',
  path: '/contacts/search',
  headers: HEADERS,
  json: { query: { field, operator: '=', value } },
});
const call = (method: string, path: string, json: unknown): ExpectedRequest => ({
  method,
  path,
  headers: HEADERS,
  json,
});
const listAttributes = (model: 'contact' | 'company'): ExpectedRequest => ({
  method: 'GET',
  path: `/data_attributes?model=${model}`,
  headers: { authorization: `Bearer ${TOKEN}`, 'intercom-version': '2.11' },
});
/** The workspace's custom attributes are listed, the missing ones created, and listed again. */
const createAttributes = (model: 'contact' | 'company', types: Record<string, string>): ExpectedRequest[] => [
  listAttributes(model),
  ...Object.entries(types).map(([name, dataType]) =>
    call('POST', '/data_attributes', { name, model, data_type: dataType }),
  ),
  listAttributes(model),
];

interface FlowCase {
  name: string;
  event: SpecEvent;
  /** Contacts that exist before the event (POST /contacts bodies). */
  contacts?: Record<string, unknown>[];
  /** Custom data attributes that exist before the event (POST /data_attributes bodies). */
  attributes?: Record<string, unknown>[];
  settings?: Record<string, unknown>;
  expect:
    | { requests: ExpectedRequest[]; outcome: Outcome['kind']; notices?: FieldNotice[] }
    | { drop: string; message: string };
}

const cases: FlowCase[] = [
  {
    name: 'identify of a new user: search by external_id finds nobody → POST /contacts',
    event: specEvent({
      type: 'identify',
      traits: {
        email: 'ann@example.com',
        name: 'Ann Lee',
        phone: '+33123456789',
        avatar: 'https://img.example.com/ann.png',
        createdAt: '2025-01-02T03:04:05Z',
        plan: 'pro',
      },
    }),
    expect: {
      outcome: 'delivered',
      requests: [
        search('external_id', 'user-1001'),
        ...createAttributes('contact', { plan: 'string' }),
        call('POST', '/contacts', {
          role: 'user',
          external_id: 'user-1001',
          email: 'ann@example.com',
          phone: '+33123456789',
          name: 'Ann Lee',
          avatar: 'https://img.example.com/ann.png',
          signed_up_at: Date.parse('2025-01-02T03:04:05Z') / 1000,
          last_seen_at: T,
          custom_attributes: { plan: 'pro' },
        }),
      ],
    },
  },
  {
    name: 'identify of a known user: exactly one hit → PUT /contacts/{id}',
    event: specEvent({ type: 'identify', traits: { name: 'Ann' } }),
    contacts: [{ role: 'user', external_id: 'user-1001' }],
    expect: {
      outcome: 'delivered',
      requests: [
        search('external_id', 'user-1001'),
        call('PUT', `/contacts/${FIRST_ID}`, { role: 'user', external_id: 'user-1001', name: 'Ann', last_seen_at: T }),
      ],
    },
  },
  {
    name: 'identify: traits named as Intercom contact fields (owner_id, unsubscribed_from_emails) set those fields',
    event: specEvent({ type: 'identify', traits: { owner_id: '5017691', unsubscribed_from_emails: true } }),
    contacts: [{ role: 'user', external_id: 'user-1001' }],
    expect: {
      outcome: 'delivered',
      requests: [
        search('external_id', 'user-1001'),
        call('PUT', `/contacts/${FIRST_ID}`, {
          role: 'user',
          external_id: 'user-1001',
          last_seen_at: T,
          owner_id: 5017691,
          unsubscribed_from_emails: true,
        }),
      ],
      notices: [{ kind: 'converted', field: 'ownerId', reason: 'string to number' }],
    },
  },
  {
    name: 'identify without userId: a lead, searched and created by email, without external_id',
    event: specEvent({ type: 'identify', userId: null, traits: { email: 'visitor@example.com' } }),
    expect: {
      outcome: 'delivered',
      requests: [
        search('email', 'visitor@example.com'),
        call('POST', '/contacts', { role: 'lead', email: 'visitor@example.com', last_seen_at: T }),
      ],
    },
  },
  {
    name: 'identify with neither userId nor email is dropped',
    event: specEvent({ type: 'identify', userId: null, traits: { plan: 'free' } }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'neither' },
  },
  {
    name: 'track by userId: POST /events with Unix created_at, flat metadata and price in cents',
    event: specEvent({
      type: 'track',
      event: 'Order Completed',
      properties: {
        revenue: 27.5,
        currency: 'EUR',
        plan: 'pro',
        coupon: null,
        items: [{ sku: 'a' }],
        receipt: { url: 'https://shop.example.com/r/1', value: 'Receipt' },
      },
    }),
    contacts: [{ role: 'user', external_id: 'user-1001' }],
    expect: {
      outcome: 'delivered',
      requests: [
        call('POST', '/events', {
          event_name: 'Order Completed',
          created_at: T,
          user_id: 'user-1001',
          metadata: {
            plan: 'pro',
            items: '[{"sku":"a"}]',
            receipt: { url: 'https://shop.example.com/r/1', value: 'Receipt' },
            price: { amount: 2750, currency: 'EUR' },
          },
        }),
      ],
      notices: [{ kind: 'converted', field: 'metadata.items', reason: 'list to string' }],
    },
  },
  {
    name: 'track with revenue "24": converted, sent as 2400 cents of USD',
    event: specEvent({ type: 'track', event: 'Upgraded', properties: { revenue: '24', plan: 'pro' } }),
    contacts: [{ role: 'user', external_id: 'user-1001' }],
    expect: {
      outcome: 'delivered',
      requests: [
        call('POST', '/events', {
          event_name: 'Upgraded',
          created_at: T,
          user_id: 'user-1001',
          metadata: { price: { amount: 2400, currency: 'USD' }, plan: 'pro' },
        }),
      ],
      notices: [{ kind: 'converted', field: 'revenue', reason: 'string to number' }],
    },
  },
  {
    name: 'track of a full order: price kept first, keys past Intercom’s 10 left out with a notice',
    event: specEvent({
      type: 'track',
      event: 'Order Completed',
      properties: {
        checkout_id: 'c-1',
        order_id: 'o-1',
        affiliation: 'Shop',
        total: 30,
        subtotal: 25,
        revenue: 25,
        shipping: 3,
        tax: 2,
        discount: 2.5,
        coupon: 'HELLO',
        currency: 'eur',
        products: [{ product_id: 'p-1' }],
      },
    }),
    contacts: [{ role: 'user', external_id: 'user-1001' }],
    expect: {
      outcome: 'delivered',
      requests: [
        call('POST', '/events', {
          event_name: 'Order Completed',
          created_at: T,
          user_id: 'user-1001',
          metadata: {
            price: { amount: 2500, currency: 'EUR' },
            checkout_id: 'c-1',
            order_id: 'o-1',
            affiliation: 'Shop',
            total: 30,
            subtotal: 25,
            shipping: 3,
            tax: 2,
            discount: 2.5,
            coupon: 'HELLO',
          },
        }),
      ],
      notices: [{ kind: 'dropped', field: 'metadata.products', reason: 'Intercom keeps 10 metadata keys per event' }],
    },
  },
  {
    name: 'track with a currency that is no ISO 4217 code: revenue and currency sent as plain metadata',
    event: specEvent({ type: 'track', event: 'Tipped', properties: { revenue: 5, currency: 'coins' } }),
    contacts: [{ role: 'user', external_id: 'user-1001' }],
    expect: {
      outcome: 'delivered',
      requests: [
        call('POST', '/events', {
          event_name: 'Tipped',
          created_at: T,
          user_id: 'user-1001',
          metadata: { revenue: 5, currency: 'coins' },
        }),
      ],
      notices: [
        {
          kind: 'dropped',
          field: 'metadata.price',
          reason: 'currency not an ISO 4217 currency code: revenue and currency sent as plain metadata',
        },
      ],
    },
  },
  {
    name: 'identify with a numeric phone: sent as its digits, the contact delivered',
    event: specEvent({ type: 'identify', traits: { phone: 33123456789, name: 'Ann' } }),
    contacts: [{ role: 'user', external_id: 'user-1001' }],
    expect: {
      outcome: 'delivered',
      requests: [
        search('external_id', 'user-1001'),
        call('PUT', `/contacts/${FIRST_ID}`, {
          role: 'user',
          external_id: 'user-1001',
          phone: '33123456789',
          name: 'Ann',
          last_seen_at: T,
        }),
      ],
      notices: [{ kind: 'converted', field: 'phone', reason: 'number to string' }],
    },
  },
  {
    name: 'identify with full traits: custom attributes created and written, traits.company upserted and attached',
    event: specEvent({
      type: 'identify',
      traits: {
        email: 'ann@example.com',
        firstName: 'Ann',
        lastName: 'Lee',
        title: 'CTO',
        age: 41,
        vip: true,
        address: { city: 'Paris', country: 'FR' },
        interests: ['a', 'b'],
        'favourite colour': 'blue',
        role: 'admin',
        bio: 'b'.repeat(300),
        company: { id: 'acme', name: 'Acme', industry: 'Retail', employee_count: '40', tier: 'gold' },
      },
    }),
    expect: {
      outcome: 'delivered',
      requests: [
        search('external_id', 'user-1001'),
        ...createAttributes('contact', {
          title: 'string',
          age: 'integer',
          vip: 'boolean',
          address_city: 'string',
          address_country: 'string',
          interests: 'string',
        }),
        call('POST', '/contacts', {
          role: 'user',
          external_id: 'user-1001',
          email: 'ann@example.com',
          name: 'Ann Lee',
          last_seen_at: T,
          custom_attributes: {
            title: 'CTO',
            age: 41,
            vip: true,
            address_city: 'Paris',
            address_country: 'FR',
            interests: '["a","b"]',
          },
        }),
        ...createAttributes('company', { tier: 'string' }),
        call('POST', '/companies', {
          company_id: 'acme',
          name: 'Acme',
          industry: 'Retail',
          size: 40,
          custom_attributes: { tier: 'gold' },
        }),
        call('POST', `/contacts/${FIRST_ID}/companies`, { id: SECOND_ID }),
      ],
      notices: [
        { kind: 'converted', field: 'custom_attributes.address', reason: 'object flattened to address_…' },
        { kind: 'converted', field: 'custom_attributes.interests', reason: 'list to string' },
        {
          kind: 'dropped',
          field: 'custom_attributes.favourite colour',
          reason: 'a name Intercom does not take (letters, digits, _, - and currency symbols only)',
        },
        {
          kind: 'dropped',
          field: 'custom_attributes.role',
          reason: 'a standard Intercom attribute, not a custom one',
        },
        { kind: 'dropped', field: 'custom_attributes.bio', reason: 'text longer than 255 characters' },
        { kind: 'converted', field: 'company.employee_count', reason: 'string to number' },
      ],
    },
  },
  {
    name: 'identify: attributes that exist are converted to their type, or left out when they cannot be',
    event: specEvent({
      type: 'identify',
      traits: { seats: '12', score: 'high', trial_ends_at: '2026-07-01T00:00:00Z' },
    }),
    contacts: [{ role: 'user', external_id: 'user-1001' }],
    attributes: [
      { name: 'seats', model: 'contact', data_type: 'integer' },
      { name: 'score', model: 'contact', data_type: 'float' },
      { name: 'trial_ends_at', model: 'contact', data_type: 'date' },
    ],
    expect: {
      outcome: 'delivered',
      requests: [
        search('external_id', 'user-1001'),
        listAttributes('contact'),
        call('PUT', `/contacts/${FIRST_ID}`, {
          role: 'user',
          external_id: 'user-1001',
          last_seen_at: T,
          custom_attributes: { seats: 12, trial_ends_at: Date.parse('2026-07-01T00:00:00Z') / 1000 },
        }),
      ],
      notices: [
        { kind: 'converted', field: 'custom_attributes.seats', reason: 'string to number' },
        { kind: 'dropped', field: 'custom_attributes.score', reason: 'not a number' },
        { kind: 'converted', field: 'custom_attributes.trial_ends_at', reason: 'string to number' },
      ],
    },
  },
  {
    name: 'identify with creating custom attributes turned off: the missing ones are left out with a notice',
    event: specEvent({ type: 'identify', traits: { plan: 'pro', name: 'Ann' } }),
    settings: { createCustomAttributes: false },
    contacts: [{ role: 'user', external_id: 'user-1001' }],
    expect: {
      outcome: 'delivered',
      requests: [
        search('external_id', 'user-1001'),
        listAttributes('contact'),
        call('PUT', `/contacts/${FIRST_ID}`, { role: 'user', external_id: 'user-1001', name: 'Ann', last_seen_at: T }),
      ],
      notices: [
        {
          kind: 'dropped',
          field: 'custom_attributes.plan',
          reason: 'no such custom attribute in Intercom (creating them is turned off)',
        },
      ],
    },
  },
  {
    name: 'track with only properties.email: the contact is searched, the event sent with its Intercom id',
    event: specEvent({ type: 'track', userId: null, event: 'Downloaded', properties: { email: 'lead@example.com' } }),
    contacts: [{ role: 'lead', email: 'lead@example.com' }],
    expect: {
      outcome: 'delivered',
      requests: [
        search('email', 'lead@example.com'),
        call('POST', '/events', { event_name: 'Downloaded', created_at: T, id: FIRST_ID }),
      ],
    },
  },
  {
    name: 'track with an email no contact has: dead-lettered like Segment’s 404',
    event: specEvent({ type: 'track', userId: null, event: 'Downloaded', properties: { email: 'nobody@example.com' } }),
    expect: { outcome: 'dead-letter', requests: [search('email', 'nobody@example.com')] },
  },
  {
    name: 'group with a known user: search → POST /companies → attach the contact',
    event: specEvent({
      type: 'group',
      groupId: 'acme',
      traits: {
        name: 'Acme',
        plan: 'enterprise',
        employees: 40,
        website: 'https://acme.example.com',
        industry: 'Retail',
        monthly_spend: 199.5,
        createdAt: '2020-01-01T00:00:00Z',
      },
    }),
    contacts: [{ role: 'user', external_id: 'user-1001' }],
    expect: {
      outcome: 'delivered',
      requests: [
        search('external_id', 'user-1001'),
        call('POST', '/companies', {
          company_id: 'acme',
          name: 'Acme',
          plan: 'enterprise',
          size: 40,
          website: 'https://acme.example.com',
          industry: 'Retail',
          monthly_spend: 199.5,
          remote_created_at: Date.parse('2020-01-01T00:00:00Z') / 1000,
        }),
        call('POST', `/contacts/${FIRST_ID}/companies`, { id: SECOND_ID }),
      ],
    },
  },
  {
    name: 'group: employees as text converted, other traits as the company’s custom attributes',
    event: specEvent({
      type: 'group',
      groupId: 'globex',
      traits: { name: 'Globex', employees: '120', tier: 'gold', seats: 12 },
    }),
    contacts: [{ role: 'user', external_id: 'user-1001' }],
    attributes: [{ name: 'tier', model: 'company', data_type: 'string' }],
    expect: {
      outcome: 'delivered',
      requests: [
        search('external_id', 'user-1001'),
        ...createAttributes('company', { seats: 'integer' }),
        call('POST', '/companies', {
          company_id: 'globex',
          name: 'Globex',
          size: 120,
          custom_attributes: { tier: 'gold', seats: 12 },
        }),
        call('POST', `/contacts/${FIRST_ID}/companies`, { id: SECOND_ID }),
      ],
      notices: [{ kind: 'converted', field: 'employees', reason: 'string to number' }],
    },
  },
  {
    name: 'group when no contact is found: the company is still upserted',
    event: specEvent({ type: 'group', groupId: 'acme', traits: { name: 'Acme' } }),
    expect: {
      outcome: 'delivered',
      requests: [search('external_id', 'user-1001'), call('POST', '/companies', { company_id: 'acme', name: 'Acme' })],
    },
  },
  {
    name: 'page is dropped with the reason',
    event: specEvent({ type: 'page', name: 'Home' }),
    expect: { drop: 'UNSUPPORTED_EVENT_TYPE', message: 'Messenger' },
  },
  {
    name: 'screen is dropped with the reason',
    event: specEvent({ type: 'screen', name: 'Home' }),
    expect: { drop: 'UNSUPPORTED_EVENT_TYPE', message: 'mobile SDKs' },
  },
  {
    name: 'alias is dropped with the reason',
    event: specEvent({ type: 'alias', previousId: 'anon-4d2b9c' }),
    expect: { drop: 'UNSUPPORTED_EVENT_TYPE', message: 'lead into a user' },
  },
];

describe('Intercom', () => {
  let ic: IntercomEmulator;
  beforeAll(async () => {
    ic = await new IntercomEmulator({ accessToken: TOKEN, now: () => NOW }).start();
  });
  afterAll(() => ic.close());

  const settings = (raw: Record<string, unknown> = {}) =>
    parsed(intercom, { accessToken: TOKEN, apiBaseUrl: ic.baseUrl, ...raw }) as IntercomSettings;

  const runFlow = (requests: RequestDescriptor[], s: IntercomSettings, notices = new Notices()) =>
    sendFlow(intercom, requests, s, notices);

  async function seed(contacts: Record<string, unknown>[], attributes: Record<string, unknown>[] = []) {
    for (const attribute of attributes) {
      const response = await deliver({
        method: 'POST',
        url: `${ic.baseUrl}/data_attributes`,
        headers: { ...HEADERS },
        body: JSON.stringify(attribute),
      });
      expect(response.status).toBe(200);
    }
    for (const contact of contacts) {
      const response = await deliver({
        method: 'POST',
        url: `${ic.baseUrl}/contacts`,
        headers: { ...HEADERS },
        body: JSON.stringify(contact),
      });
      expect(response.status).toBe(200);
    }
  }

  it('has a valid definition and catalog entry', () => {
    expect(validateDefinition(intercom)).toEqual([]);
    expect(catalogEntry(intercom)).toMatchObject({
      id: 'intercom',
      name: 'Intercom',
      secrets: { accessToken: 'whole', apiBaseUrl: 'url' },
      supportedCallTypes: ['identify', 'track', 'group'],
      settingsSchema: { properties: { apiBaseUrl: { default: 'https://api.intercom.io' } } },
    });
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    ic.reset();
    await seed(testCase.contacts ?? [], testCase.attributes);
    const translation = translateEvent(intercom, testCase.event, settings(testCase.settings));
    if ('drop' in testCase.expect) {
      expect(translation).toMatchObject({ kind: 'drop', reason: testCase.expect.drop });
      if (translation.kind === 'drop') expect(translation.message).toContain(testCase.expect.message);
      return;
    }
    if (translation.kind !== 'requests') throw new Error(`expected requests, got ${JSON.stringify(translation)}`);
    const notices = new Notices();
    notices.addAll(translation.notices);
    const { sent, outcome } = await runFlow(translation.requests, settings(testCase.settings), notices);
    expectRequests(sent, testCase.expect.requests, ic.baseUrl);
    expect(outcome.kind).toBe(testCase.expect.outcome);
    expect(notices.list).toEqual(testCase.expect.notices ?? []);
  });

  it('the workspace after a full identify → group → track sequence', async () => {
    ic.reset();
    const s = settings();
    const events = [
      specEvent({ type: 'identify', traits: { email: 'ann@example.com', name: 'Ann' } }),
      specEvent({ type: 'group', groupId: 'acme', traits: { name: 'Acme' } }),
      specEvent({ type: 'track', event: 'Signed Up', properties: { plan: 'pro' } }),
      specEvent({ type: 'identify', traits: { name: 'Ann Lee' } }),
    ];
    for (const event of events) {
      const translation = translateEvent(intercom, event, s);
      if (translation.kind !== 'requests') throw new Error(JSON.stringify(translation));
      expect((await runFlow(translation.requests, s)).outcome.kind).toBe('delivered');
    }
    const contact = ic.contactByExternalId('user-1001');
    expect(contact).toMatchObject({ name: 'Ann Lee', email: 'ann@example.com', role: 'user' });
    expect(ic.contacts.size).toBe(1);
    expect(contact?.companies).toEqual([ic.companies.get('acme')?.id]);
    expect(ic.events).toEqual([
      { contactId: contact?.id, event_name: 'Signed Up', created_at: T, metadata: { plan: 'pro' } },
    ]);
  });

  it('an attribute Intercom refuses to create (its limit reached) is left out with a notice; the contact goes', async () => {
    const full = await new IntercomEmulator({ accessToken: TOKEN, now: () => NOW, maxCustomAttributes: 1 }).start();
    try {
      const s = parsed(intercom, { accessToken: TOKEN, apiBaseUrl: full.baseUrl }) as IntercomSettings;
      const translation = translateEvent(
        intercom,
        specEvent({ type: 'identify', traits: { plan: 'pro', seats: 3 } }),
        s,
      );
      if (translation.kind !== 'requests') throw new Error(JSON.stringify(translation));
      const notices = new Notices();
      const { sent, outcome } = await runFlow(translation.requests, s, notices);
      expect(outcome.kind).toBe('delivered');
      expect(sent.map((r) => r.method + ' ' + new URL(r.url).pathname)).toEqual([
        'POST /contacts/search',
        'GET /data_attributes',
        'POST /data_attributes',
        'POST /data_attributes',
        'GET /data_attributes',
        'POST /contacts',
      ]);
      expect(full.contactByExternalId('user-1001')?.custom_attributes).toEqual({ plan: 'pro' });
      expect(notices.list).toEqual([
        { kind: 'dropped', field: 'custom_attributes.seats', reason: 'Intercom did not create this custom attribute' },
      ]);
    } finally {
      await full.close();
    }
  });

  it('a contact created moments ago but not yet searchable: the 409 on POST /contacts is retried', async () => {
    const lagging = await new IntercomEmulator({ accessToken: TOKEN, now: () => NOW, searchLagMs: 5000 }).start();
    try {
      const s = parsed(intercom, { accessToken: TOKEN, apiBaseUrl: lagging.baseUrl }) as IntercomSettings;
      const identify = specEvent({ type: 'identify', traits: { name: 'Ann' } });
      const first = translateEvent(intercom, identify, s);
      const second = translateEvent(intercom, identify, s);
      if (first.kind !== 'requests' || second.kind !== 'requests') throw new Error('no requests');
      expect((await runFlow(first.requests, s)).outcome.kind).toBe('delivered');
      const { outcome } = await runFlow(second.requests, s);
      expect(outcome).toMatchObject({ kind: 'retry', status: 409 });
      expect(lagging.contacts.size).toBe(1);
    } finally {
      await lagging.close();
    }
  });

  it('a wrong token is final; 503 and 429 are retried, Intercom’s epoch X-RateLimit-Reset read as a time', async () => {
    ic.reset();
    const track = specEvent({ type: 'track', event: 'X' });
    const wrong = translateEvent(intercom, track, settings({ accessToken: 'nope' }));
    if (wrong.kind !== 'requests') throw new Error('no requests');
    expect((await runFlow(wrong.requests, settings())).outcome).toMatchObject({
      kind: 'dead-letter',
      reason: 'REJECTED',
      status: 401,
    });
    await seed([{ role: 'user', external_id: 'user-1001' }]);
    ic.failNext(1, { status: 503 });
    ic.failNext(1, { status: 429, retryAfterSeconds: 4 });
    const good = translateEvent(intercom, track, settings());
    if (good.kind !== 'requests') throw new Error('no requests');
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push((await runFlow(good.requests, settings())).outcome);
    expect(outcomes).toMatchObject([
      { kind: 'retry', status: 503 },
      { kind: 'retry', status: 429, retryAfterMs: 4000 },
      { kind: 'delivered', status: 202 },
    ]);
    const request = good.requests[0] as RequestDescriptor;
    const resetAt = NOW / 1000 + 20;
    expect(
      classifyIntercomResponse(
        { status: 429, headers: { 'x-ratelimit-reset': String(resetAt) }, body: '' },
        request,
        NOW,
      ),
    ).toMatchObject({ kind: 'retry', retryAfterMs: 20_000 });
  });
});
