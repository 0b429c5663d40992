import {
  buildRequests,
  catalogEntry,
  Notices,
  outcomesPerEvent,
  translateEvent,
  type FieldNotice,
} from '@manifold/destination-kit';
import { validateDefinition } from '@manifold/destination-kit/testing';
import { ZendeskEmulator } from '@manifold/emulators';
import type { SpecEvent } from '@manifold/events';
import { zendesk } from './index';
import {
  deliverAll,
  NOW,
  parsed,
  prepareAll,
  runFlow,
  runTranslationCases,
  specEvent,
  type TranslationCase,
} from '../test-support/harness';
import { requestsOf, unsupportedCases } from '../test-support/cases';

const AGENT = 'admin@acme.test';
const TOKEN = 'zd-api-token';
const auth = { authorization: `Basic ${Buffer.from(`${AGENT}/token:${TOKEN}`).toString('base64')}` };
const userPost = (user: Record<string, unknown>) => ({
  method: 'POST',
  path: '/api/v2/users/create_or_update',
  headers: auth,
  json: { user },
});

// Single requests: records without custom fields.
const cases: TranslationCase[] = [
  {
    name: 'identify → users/create_or_update: email, userId as external_id, first + last name, phone, time zone',
    event: specEvent({
      type: 'identify',
      traits: {
        email: 'ann@example.com',
        firstName: 'Ann',
        lastName: 'Lee',
        phone: 14155550100,
        timezone: 'Europe/Paris',
      },
    }),
    expect: {
      requests: [
        userPost({
          email: 'ann@example.com',
          external_id: 'user-1001',
          name: 'Ann Lee',
          phone: '14155550100',
          time_zone: 'Europe/Paris',
        }),
      ],
      notices: [{ kind: 'converted', field: 'phone', reason: 'number to string' }],
    },
  },
  {
    name: 'identify of a known user by userId only (no name needed to update); verified setting',
    event: specEvent({ type: 'identify', traits: { name: 'Ann L.' } }),
    settings: { createUsersAsVerified: true },
    expect: { requests: [userPost({ external_id: 'user-1001', name: 'Ann L.', verified: true })] },
  },
  {
    name: 'identify with an invalid email and a non-integer organizationId: both left out, the user sent',
    event: specEvent({ type: 'identify', traits: { email: 'ann(at)x', organizationId: 'acme' } }),
    expect: {
      requests: [userPost({ external_id: 'user-1001' })],
      notices: [
        { kind: 'dropped', field: 'email', reason: 'not an email address' },
        { kind: 'dropped', field: 'organizationId', reason: 'not a number' },
      ],
    },
  },
  {
    name: 'identify with neither email nor userId is dropped, naming both',
    event: specEvent({ type: 'identify', userId: null, traits: { name: 'Nobody' } }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'an email (traits.email) or an external_id (userId)' },
  },
  {
    name: 'group without a name is dropped, naming it',
    event: specEvent({ type: 'group', groupId: 'acme', traits: { plan: 'x' } }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'name' },
  },
  ...unsupportedCases({ track: 'Sunshine', page: 'page views', screen: 'screen views', alias: 'Zendesk ids' }),
];

interface FlowCase {
  name: string;
  event: SpecEvent;
  settings?: Record<string, unknown>;
  steps: string[];
  check: (api: ZendeskEmulator) => void;
  notices?: FieldNotice[];
}

const flowCases: FlowCase[] = [
  {
    name: 'identify: traits as user fields in snake_case, existing ones typed, missing ones created',
    event: specEvent({
      type: 'identify',
      traits: { email: 'bo@example.com', name: 'Bo', planName: 'pro', seats: '4', beta: true, prefs: { color: 'red' } },
    }),
    steps: [
      'GET /api/v2/user_fields',
      'POST /api/v2/user_fields',
      'POST /api/v2/user_fields',
      'GET /api/v2/user_fields',
      'POST /api/v2/users/create_or_update',
    ],
    check: (api) => {
      expect(api.userBy('external_id', 'user-1001')?.custom).toEqual({
        plan_name: 'pro',
        seats: 4,
        beta: true,
        prefs_color: 'red',
      });
      expect(api.fields.user.get('beta')?.type).toBe('checkbox');
    },
    notices: [
      { kind: 'converted', field: 'user_fields.prefs', reason: 'object flattened to prefs_…' },
      { kind: 'converted', field: 'user_fields.seats', reason: 'string to number' },
    ],
  },
  {
    name: 'identify with creating fields off: unknown traits left out with a notice, a value not of its type too',
    event: specEvent({
      type: 'identify',
      traits: { email: 'cy@example.com', name: 'Cy', seats: 'many', color: 'red' },
    }),
    settings: { createCustomFields: false },
    steps: ['GET /api/v2/user_fields', 'POST /api/v2/users/create_or_update'],
    check: (api) => expect(api.userBy('external_id', 'user-1001')?.custom).toEqual({}),
    notices: [
      { kind: 'dropped', field: 'user_fields.seats', reason: 'not a number' },
      {
        kind: 'dropped',
        field: 'user_fields.color',
        reason: 'no such user field in Zendesk (creating them is turned off)',
      },
    ],
  },
  {
    name: 'group → organization by external_id with domains, tags, fields; the user made a member',
    event: specEvent({
      type: 'group',
      groupId: 'acme',
      traits: { name: 'Acme', domainNames: ['acme.test'], tags: 'vip', industry: 'Tools', employees: 40 },
    }),
    steps: [
      'GET /api/v2/organization_fields',
      'POST /api/v2/organization_fields',
      'POST /api/v2/organization_fields',
      'GET /api/v2/organization_fields',
      'POST /api/v2/organizations/create_or_update',
      'GET /api/v2/users/search?external_id=user-1001',
      'POST /api/v2/organization_memberships',
    ],
    check: (api) => {
      const org = api.organizationBy('acme');
      expect(org?.fields).toMatchObject({ name: 'Acme', domain_names: ['acme.test'], tags: ['vip'] });
      expect(org?.custom).toEqual({ industry: 'Tools', employees: 40 });
      expect(api.memberships).toEqual([
        { user_id: api.userBy('external_id', 'user-1001')?.id, organization_id: org?.id },
      ]);
    },
  },
  {
    name: 'group for a user Zendesk does not have: the organization saved, the membership left out with a notice',
    event: specEvent({ type: 'group', userId: 'stranger', groupId: 'globex', traits: { name: 'Globex' } }),
    steps: ['POST /api/v2/organizations/create_or_update', 'GET /api/v2/users/search?external_id=stranger'],
    check: (api) => expect(api.memberships).toEqual([]),
    notices: [
      {
        kind: 'dropped',
        field: 'organization_membership',
        reason: 'no Zendesk user has this userId as external_id yet',
      },
    ],
  },
];

describe('Zendesk', () => {
  let emulator: ZendeskEmulator;
  beforeAll(async () => {
    emulator = await new ZendeskEmulator({
      agentEmail: AGENT,
      apiToken: TOKEN,
      now: () => NOW,
      userFields: [
        { key: 'plan_name', type: 'text', title: 'Plan' },
        { key: 'seats', type: 'integer', title: 'Seats' },
      ],
    }).start();
  });
  afterAll(() => emulator.close());

  const base = () => ({ subdomain: 'acme', email: AGENT, apiToken: TOKEN, apiBaseUrl: emulator.baseUrl });
  const seedUser = async () => {
    const event = specEvent({ type: 'identify', traits: { name: 'Ann', email: 'ann@example.com' } });
    await deliverAll(zendesk, requestsOf(zendesk, event, base()));
  };

  it('has a valid definition and catalog entry; the token is a secret, the subdomain not; the host follows it', () => {
    expect(validateDefinition(zendesk)).toEqual([]);
    expect(catalogEntry(zendesk)).toMatchObject({
      id: 'zendesk',
      secrets: { apiToken: 'whole', apiBaseUrl: 'url' },
      supportedCallTypes: ['identify', 'group'],
    });
    expect(catalogEntry(zendesk).secrets).not.toHaveProperty('subdomain');
    const [request] = requestsOf(zendesk, specEvent({ type: 'identify', traits: { name: 'A' } }), {
      ...base(),
      apiBaseUrl: undefined,
    });
    expect(request?.url).toBe('https://acme.zendesk.com/api/v2/users/create_or_update');
  });

  describe('table', () => {
    beforeAll(seedUser); // updates by userId need the user
    runTranslationCases(zendesk, cases, () => ({ baseSettings: base(), baseUrl: emulator.baseUrl }));
  });

  it.each(flowCases.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    emulator.reset();
    emulator.fields.user.set('plan_name', { key: 'plan_name', type: 'text', title: 'Plan' });
    emulator.fields.user.set('seats', { key: 'seats', type: 'integer', title: 'Seats' });
    await seedUser();
    const settings = parsed(zendesk, { ...base(), ...testCase.settings });
    const translation = translateEvent(zendesk, testCase.event, settings);
    if (translation.kind !== 'requests') throw new Error(JSON.stringify(translation));
    const notices = new Notices();
    notices.addAll(translation.notices);
    const { sent, outcome } = await runFlow(zendesk, translation.requests, settings, notices);
    expect(sent.map((r) => `${r.method} ${r.url.slice(emulator.baseUrl.length)}`)).toEqual(testCase.steps);
    expect(notices.list).toEqual(testCase.notices ?? []);
    expect(outcome).toMatchObject({ kind: 'delivered' });
    testCase.check(emulator);
    expect(emulator.ignoredFields).toEqual([]); // nothing sent that Zendesk would drop silently
  });

  describe('batched identifies: users/create_or_update_many, a job, its status read once', () => {
    const identify = (userId: string, traits: Record<string, unknown>) =>
      specEvent({ type: 'identify', userId, traits });
    /** The batch's requests, its flow run against `api`, and each event's outcome and notices. */
    async function runBatch(api: ZendeskEmulator, events: SpecEvent[]) {
      const settings = parsed(zendesk, { ...base(), apiBaseUrl: api.baseUrl, batchSize: 100 });
      const payloads = prepareAll(zendesk, events, settings).map((p) => p.payload as Record<string, unknown>);
      const perEvent = events.map(() => new Notices());
      const requests = buildRequests(zendesk, 'identifyUser', payloads, settings, perEvent);
      expect(requests).toHaveLength(1);
      const { sent, outcome } = await runFlow(zendesk, requests, settings, new Notices(perEvent));
      if (outcome.kind === 'drop') throw new Error(`dropped: ${outcome.message}`);
      return {
        requests,
        steps: sent.map((r) => `${r.method} ${r.url.slice(api.baseUrl.length).replace(/J\d+$/, ':job')}`),
        outcomes: outcomesPerEvent(requests[0]!, outcome, events.length),
        notices: perEvent.map((n) => n.list),
      };
    }

    it('a finished job answers each event with its own user: created, updated, refused; custom fields first', async () => {
      emulator.reset();
      emulator.fields.user.set('plan_name', { key: 'plan_name', type: 'text', title: 'Plan' });
      await seedUser();
      const { requests, steps, outcomes, notices } = await runBatch(emulator, [
        identify('u-a', { name: 'Ann A', email: 'a@example.com', planName: 'pro' }),
        identify('user-1001', { email: 'ann@example.com', tier: 3 }),
        identify('u-c', { email: 'c@example.com' }),
        identify('u-d', { name: 'Dee', tier: 'gold' }),
      ]);
      expect(requests[0]).toMatchObject({ method: 'GET', itemEvents: [0, 1, 2, 3] });
      expect(steps).toEqual([
        'GET /api/v2/user_fields',
        'POST /api/v2/user_fields',
        'GET /api/v2/user_fields',
        'POST /api/v2/users/create_or_update_many',
        'GET /api/v2/job_statuses/:job',
      ]);
      expect(outcomes).toMatchObject([
        { kind: 'delivered' },
        { kind: 'delivered' },
        { kind: 'dead-letter', reason: 'REJECTED', message: 'Zendesk job: RecordInvalid: Name: cannot be blank' },
        { kind: 'delivered' },
      ]);
      // The new field is a decimal (made from the first value, 3): "gold" cannot go in it.
      expect(notices).toEqual([[], [], [], [{ kind: 'dropped', field: 'user_fields.tier', reason: 'not a number' }]]);
      expect(emulator.userBy('external_id', 'u-a')?.custom).toEqual({ plan_name: 'pro' });
      expect(emulator.userBy('email', 'ann@example.com')?.custom).toEqual({ tier: 3 });
      expect(emulator.userBy('email', 'c@example.com')).toBeUndefined();
      expect(emulator.userBy('external_id', 'u-d')?.fields['name']).toBe('Dee');
    });

    it('a job still queued when read: every event counted delivered (accepted), the users land anyway', async () => {
      const slow = await new ZendeskEmulator({ agentEmail: AGENT, apiToken: TOKEN, jobQueuedReads: 1 }).start();
      try {
        const { steps, outcomes } = await runBatch(slow, [
          identify('u-1', { name: 'One' }),
          identify('u-2', { email: 'two@example.com' }),
        ]);
        expect(steps).toEqual(['POST /api/v2/users/create_or_update_many', 'GET /api/v2/job_statuses/:job']);
        // Zendesk has not given a verdict yet: u-2 (no name) fails later, known to Zendesk only.
        expect(outcomes.map((o) => o.kind)).toEqual(['delivered', 'delivered']);
        expect(slow.userBy('external_id', 'u-1')).toBeDefined();
      } finally {
        await slow.close();
      }
    });

    it('off by default: each identify its own create_or_update', () => {
      const settings = parsed(zendesk, base());
      expect(settings.batchSize).toBe(1);
    });
  });

  it('a field Zendesk refuses to create does not stop the record; a membership that exists counts as made', () => {
    const post = (path: string) => ({
      method: 'POST' as const,
      url: `${emulator.baseUrl}${path}`,
      headers: {},
      body: '{}',
    });
    const invalid = (details: unknown) => ({
      status: 422,
      headers: {},
      body: JSON.stringify({ error: 'RecordInvalid', description: 'Record validation errors', details }),
    });
    const taken = invalid({ key: [{ description: 'Key: has already been taken', error: 'DuplicateValue' }] });
    expect(zendesk.classifyResponse?.(taken, post('/api/v2/user_fields'))).toEqual({ kind: 'delivered', status: 422 });
    const member = invalid({ user_id: [{ description: 'already a member', error: 'DuplicateValue' }] });
    expect(zendesk.classifyResponse?.(member, post('/api/v2/organization_memberships'))).toEqual({
      kind: 'delivered',
      status: 422,
    });
    expect(zendesk.classifyResponse?.(taken, post('/api/v2/users/create_or_update'))).toMatchObject({
      kind: 'dead-letter',
      message: 'Zendesk RecordInvalid: Record validation errors; key: Key: has already been taken',
    });
  });

  it('a new user without a name is rejected with Zendesk’s reason; a wrong token is final; 409, 429 and 5xx retried', async () => {
    emulator.reset();
    const event = specEvent({ type: 'identify', userId: 'new-1', traits: { email: 'new@example.com' } });
    const [nameless] = await deliverAll(zendesk, requestsOf(zendesk, event, base()));
    expect(nameless?.outcome).toMatchObject({
      kind: 'dead-letter',
      status: 422,
      message: 'Zendesk RecordInvalid: Record validation errors; name: Name: cannot be blank',
    });
    const [bad] = await deliverAll(zendesk, requestsOf(zendesk, event, { ...base(), apiToken: 'nope' }));
    expect(bad?.outcome).toMatchObject({
      kind: 'dead-letter',
      status: 401,
      message: "Zendesk Couldn't authenticate you",
    });
    const named = specEvent({ type: 'identify', userId: 'new-1', traits: { email: 'new@example.com', name: 'New' } });
    const requests = requestsOf(zendesk, named, base());
    emulator.failNext(1, { status: 409, body: { error: 'Conflict' } });
    emulator.failNext(1, { status: 429, retryAfterSeconds: 7, body: { error: 'TooManyRequests' } });
    emulator.failNext(1, { status: 503 });
    const outcomes = [];
    for (let i = 0; i < 4; i++) outcomes.push((await deliverAll(zendesk, requests))[0]?.outcome);
    expect(outcomes).toMatchObject([
      { kind: 'retry', status: 409 },
      { kind: 'retry', status: 429, retryAfterMs: 7000 },
      { kind: 'retry', status: 503 },
      { kind: 'delivered', status: 201 },
    ]);
  });
});
