import {
  buildRequests,
  catalogEntry,
  Notices,
  outcomesPerEvent,
  prepareEvent,
  translateEvent,
  type FieldNotice,
} from '@manifold/destination-kit';
import { validateDefinition } from '@manifold/destination-kit/testing';
import { SendgridEmulator } from '@manifold/emulators';
import type { SpecEvent } from '@manifold/events';
import { classifySendgridResponse } from './classify-response';
import { sendgrid } from './index';
import {
  deliverAll,
  NOW,
  parsed,
  runFlow,
  runTranslationCases,
  specEvent,
  type TranslationCase,
} from '../test-support/harness';
import { requestsOf, unsupportedCases } from '../test-support/cases';

const KEY = 'SG.sendgrid-test-key';
const LIST = '0b0d2c1e-5f4a-4c3b-9e8d-7a6b5c4d3e2f';
const put = (contacts: Record<string, unknown>[]) => ({
  method: 'PUT',
  path: '/v3/marketing/contacts',
  headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
  json: { contacts },
});

// Contacts without custom fields: one PUT.
const cases: TranslationCase[] = [
  {
    name: 'identify → PUT contacts: email lower-cased, userId as external_id, names, address, phone',
    event: specEvent({
      type: 'identify',
      traits: {
        email: 'Ann.Lee@Example.com',
        firstName: 'Ann',
        lastName: 'Lee',
        phone: '+14155550100',
        address: { street: '1 Main St', city: 'Springfield', state: 'IL', postalCode: '62701', country: 'US' },
      },
    }),
    expect: {
      requests: [
        put([
          {
            email: 'ann.lee@example.com',
            phone_number_id: '+14155550100',
            external_id: 'user-1001',
            first_name: 'Ann',
            last_name: 'Lee',
            address_line_1: '1 Main St',
            city: 'Springfield',
            state_province_region: 'IL',
            postal_code: '62701',
            country: 'US',
          },
        ]),
      ],
    },
  },
  {
    name: 'identify of an anonymous visitor with no other identifier → anonymous_id',
    event: specEvent({ type: 'identify', userId: null, traits: { first_name: 'Bo' } }),
    expect: { requests: [put([{ anonymous_id: 'anon-4d2b9c', first_name: 'Bo' }])] },
  },
  {
    name: 'list ids from the settings go with every upsert',
    event: specEvent({ type: 'identify', traits: { email: 'cy@example.com' } }),
    settings: { listIds: [LIST] },
    expect: {
      requests: [
        {
          ...put([]),
          json: { list_ids: [LIST], contacts: [{ email: 'cy@example.com', external_id: 'user-1001' }] },
        },
      ],
    },
  },
  {
    name: 'bad values: an invalid email and a 51-character name are left out, a numeric postal code converted',
    event: specEvent({
      type: 'identify',
      traits: { email: 'ann(at)example', firstName: 'x'.repeat(51), address: { postalCode: 62701 } },
    }),
    expect: {
      requests: [put([{ external_id: 'user-1001', postal_code: '62701' }])],
      notices: [
        { kind: 'dropped', field: 'email', reason: 'not an email address' },
        { kind: 'converted', field: 'postal_code', reason: 'number to string' },
        { kind: 'dropped', field: 'first_name', reason: "longer than SendGrid's 50 characters" },
      ],
    },
  },
  {
    name: 'identify with no identifier at all is dropped, naming the identifiers',
    event: specEvent({ type: 'identify', userId: null, anonymousId: null, traits: { firstName: 'Di' } } as never),
    expect: {
      drop: 'INVALID_PAYLOAD',
      message: 'needs an email, phone_number_id, external_id (userId) or anonymous_id',
    },
  },
  ...unsupportedCases({
    track: 'not events',
    page: 'page views',
    screen: 'screen views',
    group: 'groups',
    alias: 'merged',
  }),
];

interface FlowCase {
  name: string;
  event: SpecEvent;
  settings?: Record<string, unknown>;
  /** "METHOD path" of every request sent, in order. */
  steps: string[];
  contact: Record<string, unknown>;
  notices?: FieldNotice[];
}

const FIELDS = '/v3/marketing/field_definitions';
const flowCases: FlowCase[] = [
  {
    name: 'custom traits: existing field by name (any case), missing ones created typed after their value',
    event: specEvent({
      type: 'identify',
      traits: { email: 'ann@example.com', Plan: 'pro', score: 7, vip: true, prefs: { color: 'blue' } },
    }),
    steps: [
      `GET ${FIELDS}`,
      `POST ${FIELDS}`,
      `POST ${FIELDS}`,
      `POST ${FIELDS}`,
      `GET ${FIELDS}`,
      'PUT /v3/marketing/contacts',
    ],
    contact: {
      email: 'ann@example.com',
      external_id: 'user-1001',
      custom_fields: { e1_T: 'pro', e4_N: 7, e5_T: 'true', e6_T: 'blue' },
    },
    notices: [
      { kind: 'converted', field: 'custom_fields.vip', reason: 'boolean to string' },
      { kind: 'converted', field: 'custom_fields.prefs', reason: 'object flattened to prefs_…' },
    ],
  },
  {
    name: 'values converted to the type of an existing field, or left out when they cannot be',
    event: specEvent({ type: 'identify', traits: { email: 'bo@example.com', seats: '12', logins: 'many', plan: 3 } }),
    steps: [`GET ${FIELDS}`, 'PUT /v3/marketing/contacts'],
    contact: { email: 'bo@example.com', external_id: 'user-1001', custom_fields: { e2_N: 12, e1_T: '3' } },
    notices: [
      { kind: 'converted', field: 'custom_fields.seats', reason: 'string to number' },
      { kind: 'dropped', field: 'custom_fields.logins', reason: 'not a number' },
      { kind: 'converted', field: 'custom_fields.plan', reason: 'number to string' },
    ],
  },
  {
    name: 'creating fields turned off: unknown traits left out with a notice; reserved or unnamable ones too',
    event: specEvent({
      type: 'identify',
      traits: { email: 'cy@example.com', plan: 'pro', color: 'red', created_at: '2026-01-01', 'fav-band': 'x' },
    }),
    settings: { createCustomFields: false },
    steps: [`GET ${FIELDS}`, 'PUT /v3/marketing/contacts'],
    contact: { email: 'cy@example.com', external_id: 'user-1001', custom_fields: { e1_T: 'pro' } },
    notices: [
      { kind: 'dropped', field: 'custom_fields.created_at', reason: 'a reserved SendGrid field, not a custom one' },
      {
        kind: 'dropped',
        field: 'custom_fields.fav-band',
        reason: 'not a SendGrid field name (a letter, then letters, digits or _, at most 100)',
      },
      {
        kind: 'dropped',
        field: 'custom_fields.color',
        reason: 'no such custom field in SendGrid (creating them is turned off)',
      },
    ],
  },
];

describe('SendGrid Marketing Campaigns', () => {
  let emulator: SendgridEmulator;
  beforeAll(async () => {
    emulator = await new SendgridEmulator({
      apiKey: KEY,
      now: () => NOW,
      listIds: [LIST],
      customFields: [
        { id: 'e1_T', name: 'plan', field_type: 'Text' },
        { id: 'e2_N', name: 'seats', field_type: 'Number' },
        { id: 'e3_N', name: 'logins', field_type: 'Number' },
      ],
    }).start();
  });
  afterAll(() => emulator.close());

  const base = () => ({ apiKey: KEY, apiBaseUrl: emulator.baseUrl });

  it('has a valid definition and catalog entry; the key is a secret', () => {
    expect(validateDefinition(sendgrid)).toEqual([]);
    expect(catalogEntry(sendgrid)).toMatchObject({
      id: 'sendgrid',
      secrets: { apiKey: 'whole', apiBaseUrl: 'url' },
      supportedCallTypes: ['identify'],
      settingsSchema: { properties: { apiBaseUrl: { default: 'https://api.sendgrid.com' } } },
    });
  });

  runTranslationCases(sendgrid, cases, () => ({ baseSettings: base(), baseUrl: emulator.baseUrl }));

  it.each(flowCases.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    emulator.reset();
    const settings = parsed(sendgrid, { ...base(), ...testCase.settings });
    const translation = translateEvent(sendgrid, testCase.event, settings);
    if (translation.kind !== 'requests') throw new Error(JSON.stringify(translation));
    const notices = new Notices();
    notices.addAll(translation.notices);
    const { sent, outcome } = await runFlow(sendgrid, translation.requests, settings, notices);
    expect(sent.map((r) => `${r.method} ${r.url.slice(emulator.baseUrl.length)}`)).toEqual(testCase.steps);
    expect(JSON.parse(sent.at(-1)?.body ?? '{}')).toEqual({ contacts: [testCase.contact] });
    expect(notices.list).toEqual(testCase.notices ?? []);
    expect(outcome).toMatchObject({ kind: 'delivered', status: 202 });
    const job = [...emulator.jobs.values()][0];
    expect(job?.results).toMatchObject({ created_count: 1, errored_count: 0 });
  });

  const payloadsOf = (events: SpecEvent[], settings: ReturnType<typeof parsed<typeof sendgrid.settings>>) =>
    events.map((e) => {
      const prepared = prepareEvent(sendgrid, e, settings);
      if (!('payload' in prepared)) throw new Error(prepared.message);
      return prepared.payload;
    });

  it('batches contacts into one upsert; a 400 naming one contact rejects it and retries the others', async () => {
    emulator.reset();
    const settings = parsed(sendgrid, base());
    const events = [0, 1, 2].map((i) =>
      specEvent({ type: 'identify', userId: `u-${i}`, traits: { email: `p${i}@example.com` } }),
    );
    const payloads = payloadsOf(events, settings);
    const [batch] = buildRequests(sendgrid, 'upsertContact', payloads, settings);
    expect(batch?.itemEvents).toEqual([0, 1, 2]);
    const [ok] = await deliverAll(sendgrid, [batch!]);
    expect(ok?.outcome).toMatchObject({ kind: 'delivered', status: 202 });
    expect(emulator.contacts.size).toBe(3);

    // An address the emulator refuses although it passed the translator.
    const [bad] = buildRequests(sendgrid, 'upsertContact', [payloads[0]!, { ...payloads[1]!, email: 'a@b' }], settings);
    const [refused] = await deliverAll(sendgrid, [bad!]);
    expect(outcomesPerEvent(bad!, refused!.outcome, 2)).toMatchObject([
      { kind: 'retry', status: 400 },
      { kind: 'dead-letter', reason: 'REJECTED', message: 'SendGrid: contacts[1].email: email address is invalid' },
    ]);
  });

  it('a batch with custom fields resolves them once for every contact', async () => {
    emulator.reset();
    const settings = parsed(sendgrid, base());
    const events = [0, 1].map((i) =>
      specEvent({ type: 'identify', userId: `v-${i}`, traits: { email: `v${i}@example.com`, tier: i } }),
    );
    events.push(specEvent({ type: 'identify', userId: 'v-2', traits: { email: 'v2@example.com', seats: 'all' } }));
    const requests = buildRequests(sendgrid, 'upsertContact', payloadsOf(events, settings), settings);
    const perEvent = events.map(() => new Notices());
    const { sent, outcome } = await runFlow(sendgrid, requests, settings, new Notices(perEvent));
    expect(sent.map((r) => r.method)).toEqual(['GET', 'POST', 'GET', 'PUT']);
    expect(outcome).toMatchObject({ kind: 'delivered' });
    expect(emulator.contactBy('email', 'v1@example.com')?.custom_fields).toEqual({ e4_N: 1 });
    // What the step left out is counted against the one event it came from.
    expect(perEvent.map((n) => n.list)).toEqual([
      [],
      [],
      [{ kind: 'dropped', field: 'custom_fields.seats', reason: 'not a number' }],
    ]);
  });

  it('a custom field SendGrid refuses to create is left out with a notice; the contact still goes', async () => {
    const full = await new SendgridEmulator({
      apiKey: KEY,
      customFields: [{ id: 'e1_T', name: 'plan', field_type: 'Text' }],
      maxCustomFields: 1,
    }).start();
    try {
      const settings = parsed(sendgrid, { ...base(), apiBaseUrl: full.baseUrl });
      const event = specEvent({ type: 'identify', traits: { email: 'dee@example.com', plan: 'pro', color: 'red' } });
      const notices = new Notices();
      const { sent, outcome } = await runFlow(sendgrid, requestsOf(sendgrid, event, settings), settings, notices);
      expect(sent.map((r) => `${r.method} ${r.url.slice(full.baseUrl.length)}`)).toEqual([
        `GET ${FIELDS}`,
        `POST ${FIELDS}`,
        `GET ${FIELDS}`,
        'PUT /v3/marketing/contacts',
      ]);
      expect(full.requests[1]?.status).toBe(400);
      expect(outcome).toMatchObject({ kind: 'delivered', status: 202 });
      expect(notices.list).toEqual([
        { kind: 'dropped', field: 'custom_fields.color', reason: 'SendGrid did not create this custom field' },
      ]);
      expect(full.contactBy('email', 'dee@example.com')?.custom_fields).toEqual({ e1_T: 'pro' });
    } finally {
      await full.close();
    }
  });

  it('a wrong key is final; 429 waits until X-RateLimit-Reset; 5xx is retried', async () => {
    const event = specEvent({ type: 'identify', traits: { email: 'ann@example.com' } });
    const [bad] = await deliverAll(sendgrid, requestsOf(sendgrid, event, { ...base(), apiKey: 'nope' }));
    expect(bad?.outcome).toMatchObject({
      kind: 'dead-letter',
      status: 401,
      message: 'SendGrid: authorization required',
    });
    const reset = Math.ceil(Date.now() / 1000) + 30;
    emulator.failNext(1, { status: 429, body: { errors: [{ field: null, message: 'too many requests' }] } });
    const requests = requestsOf(sendgrid, event, base());
    const throttled = classifySendgridResponse(
      { status: 429, headers: { 'x-ratelimit-reset': String(reset) }, body: '' },
      requests[0]!,
    );
    expect(throttled).toMatchObject({ kind: 'retry', status: 429 });
    expect((throttled as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(20_000);
    emulator.failNext(1, { status: 500 });
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push((await deliverAll(sendgrid, requests))[0]?.outcome.kind);
    expect(outcomes).toEqual(['retry', 'retry', 'delivered']);
  });
});
