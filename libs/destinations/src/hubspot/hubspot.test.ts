import {
  batchSize,
  buildRequests,
  catalogEntry,
  Notices,
  outcomesPerEvent,
  parseSettings,
  prepareEvent,
  refusedRequestParts,
  translateEvent,
  type ResponseOutcome,
} from '@manifold/destination-kit';
import { validateDefinition } from '@manifold/destination-kit/testing';
import { HubspotEmulator } from '@manifold/emulators';
import { hubspot } from './index';
import {
  decodeBody,
  deliverAll,
  expectRequests,
  parsed,
  prepareAll,
  runFlow,
  runTranslationCases,
  specEvent,
  type TranslationCase,
} from '../test-support/harness';

const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
const WRITES_ONLY_TOKEN = 'pat-na1-66666666-7777-8888-9999-000000000000';
const PORTAL = '4242';
const HAPPENED = '2026-06-01T11:59:00.000Z';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const contacts = (...inputs: unknown[]) => ({
  method: 'POST',
  path: '/crm/v3/objects/contacts/batch/upsert',
  headers: auth,
  json: { inputs },
});
const companies = (...inputs: unknown[]) => ({
  method: 'POST',
  path: '/crm/v3/objects/companies/batch/upsert',
  headers: auth,
  json: { inputs },
});
const sendEvent = (body: Record<string, unknown>) => ({
  method: 'POST',
  path: '/events/v3/send',
  headers: auth,
  json: { occurredAt: HAPPENED, uuid: 'bfe96192-0b1d-531f-823f-dc78f25b8e08', ...body },
});

const cases: TranslationCase[] = [
  {
    name: 'identify: contact upserted by email, standard fields from the traits, other traits as properties',
    event: specEvent({
      type: 'identify',
      traits: {
        email: 'ann@example.com',
        firstName: 'Ann',
        last_name: 'Lee',
        phone: '+33 1 23 45 67 89',
        company: { name: 'Acme' },
        website: 'https://ann.example.com',
        address: { street: '1 rue de Rivoli', city: 'Paris', postalCode: '75001', country: 'France' },
        lifecyclestage: 'Lead',
        plan: 'pro',
        seats: 3,
        beta: true,
      },
    }),
    expect: {
      requests: [
        contacts({
          idProperty: 'email',
          id: 'ann@example.com',
          properties: {
            plan: 'pro',
            seats: 3,
            beta: true,
            firstname: 'Ann',
            lastname: 'Lee',
            phone: '+33 1 23 45 67 89',
            company: 'Acme',
            website: 'https://ann.example.com',
            address: '1 rue de Rivoli',
            city: 'Paris',
            zip: '75001',
            country: 'France',
            email: 'ann@example.com',
            lifecyclestage: 'lead',
          },
        }),
      ],
    },
  },
  {
    name: 'identify: trait names made HubSpot names, lists joined with ";", objects as JSON, null clears, each with a notice',
    event: specEvent({
      type: 'identify',
      traits: { email: 'bo@example.com', planType: 'team', tags: ['a', 'b'], prefs: { dark: true }, nickname: null },
    }),
    expect: {
      requests: [
        contacts({
          idProperty: 'email',
          id: 'bo@example.com',
          properties: {
            plan_type: 'team',
            tags: 'a;b',
            prefs: '{"dark":true}',
            nickname: '',
            email: 'bo@example.com',
          },
        }),
      ],
      notices: [
        {
          kind: 'converted',
          field: 'traits.planType',
          reason: 'renamed plan_type (HubSpot property names are lower-case snake case)',
        },
        { kind: 'converted', field: 'traits.tags', reason: 'list joined with ";" (multiple-checkbox value)' },
        { kind: 'converted', field: 'traits.prefs', reason: 'object sent as JSON text' },
        { kind: 'converted', field: 'traits.nickname', reason: 'null sent as "" (clears the property)' },
      ],
    },
  },
  {
    name: 'identify with the email only in context.traits',
    event: specEvent({ type: 'identify', context: { traits: { email: 'cy@example.com' } }, traits: { plan: 'free' } }),
    expect: {
      requests: [
        contacts({ idProperty: 'email', id: 'cy@example.com', properties: { plan: 'free', email: 'cy@example.com' } }),
      ],
    },
  },
  {
    name: 'identify without an email: dropped, HubSpot upserts contacts by email',
    event: specEvent({ type: 'identify', traits: { plan: 'free' } }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'email' },
  },
  {
    name: 'group: company upserted by its id property, standard fields, other traits as properties',
    event: specEvent({
      type: 'group',
      groupId: 'g-77',
      traits: { name: 'Acme', website: 'acme.example', industry: 'Retail', employees: '120', plan: 'enterprise' },
    }),
    expect: {
      requests: [
        companies({
          idProperty: 'segment_group_id',
          id: 'g-77',
          properties: {
            plan: 'enterprise',
            name: 'Acme',
            website: 'acme.example',
            industry: 'Retail',
            numberofemployees: 120,
          },
        }),
      ],
      notices: [{ kind: 'converted', field: 'numberofemployees', reason: 'string to number' }],
    },
  },
  {
    name: 'group with the contact’s email (context.traits.email): the company upsert, then the association flow',
    event: specEvent({
      type: 'group',
      groupId: 'g-78',
      context: { traits: { email: 'ann@example.com' } },
      traits: { name: 'Beta' },
    }),
    expect: {
      requests: [companies({ idProperty: 'segment_group_id', id: 'g-78', properties: { name: 'Beta' } })],
    },
  },
  {
    name: 'track: a custom event occurrence pe<HubID>_<snake case>, uuid from the messageId, properties as they are',
    event: specEvent({
      type: 'track',
      event: 'Plan Upgraded',
      context: { traits: { email: 'ann@example.com' } },
      properties: { plan: 'pro', seats: 5, annual: true },
    }),
    expect: {
      requests: [
        sendEvent({
          eventName: `pe${PORTAL}_plan_upgraded`,
          email: 'ann@example.com',
          properties: { plan: 'pro', seats: 5, annual: true },
        }),
      ],
    },
  },
  {
    name: 'track: long values cut to HubSpot limits (50, URLs 200) with a notice; a qualified name kept',
    event: specEvent({
      type: 'track',
      event: `pe${PORTAL}_clicked`,
      properties: { email: 'ann@example.com', note: 'x'.repeat(60), url: `https://a.example/${'p'.repeat(190)}` },
    }),
    expect: {
      requests: [
        sendEvent({
          eventName: `pe${PORTAL}_clicked`,
          email: 'ann@example.com',
          properties: {
            email: 'ann@example.com',
            note: 'x'.repeat(50),
            url: `https://a.example/${'p'.repeat(190)}`.slice(0, 200),
          },
        }),
      ],
      notices: [
        { kind: 'converted', field: 'properties.note', reason: "cut to HubSpot's 50 characters" },
        { kind: 'converted', field: 'properties.url', reason: "cut to HubSpot's 200 characters" },
      ],
    },
  },
  {
    name: "track: an emoji straddling HubSpot's 50 characters is left out whole, not cut in half",
    event: specEvent({
      type: 'track',
      event: `pe${PORTAL}_clicked`,
      properties: { email: 'ann@example.com', note: `${'x'.repeat(49)}\u{1F389} party` },
    }),
    expect: {
      requests: [
        sendEvent({
          eventName: `pe${PORTAL}_clicked`,
          email: 'ann@example.com',
          properties: { email: 'ann@example.com', note: 'x'.repeat(49) },
        }),
      ],
      notices: [{ kind: 'converted', field: 'properties.note', reason: "cut to HubSpot's 50 characters" }],
    },
  },
  {
    name: 'track without an email: dropped, HubSpot needs the contact',
    event: specEvent({ type: 'track', event: 'Plan Upgraded', properties: {} }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'email, a utk or an objectId' },
  },
  {
    name: 'page: not supported',
    event: specEvent({ type: 'page', name: 'Home' }),
    expect: { drop: 'UNSUPPORTED_EVENT_TYPE' },
  },
];

describe('HubSpot', () => {
  let emulator: HubspotEmulator;
  beforeAll(async () => {
    emulator = await new HubspotEmulator({
      portalId: PORTAL,
      privateAppTokens: [TOKEN, WRITES_ONLY_TOKEN],
      // A private app made without the read scopes the association needs.
      privateAppScopes: {
        [WRITES_ONLY_TOKEN]: ['crm.objects.contacts.write', 'crm.objects.companies.write'],
      },
      companyUniqueProperties: ['segment_group_id'],
      burstPer10s: 1000,
    }).start();
  });
  afterAll(() => emulator.close());
  const base = () => ({ privateAppToken: TOKEN, portalId: PORTAL, apiBaseUrl: emulator.baseUrl });

  it('is a valid definition, with an OAuth connection in its catalog entry', () => {
    expect(validateDefinition(hubspot)).toEqual([]);
    const entry = catalogEntry(hubspot);
    expect(entry.secrets).toMatchObject({ privateAppToken: 'whole' });
    expect(entry.oauth?.scopes).toContain('crm.objects.contacts.write');
    expect(entry.supportedCallTypes).toEqual(['identify', 'track', 'group']);
  });

  runTranslationCases(hubspot, cases, () => ({ baseSettings: base(), baseUrl: emulator.baseUrl }));

  it('with the OAuth connection, requests carry no credential (the translator adds the access token)', () => {
    const settings = parsed(hubspot, { portalId: PORTAL, apiBaseUrl: emulator.baseUrl });
    expect(hubspot.oauth?.uses(settings)).toBe(true);
    expect(hubspot.oauth?.uses(parsed(hubspot, base()))).toBe(false);
    const translation = translateEvent(hubspot, specEvent({ type: 'identify', traits: { email: 'a@b.co' } }), settings);
    if (translation.kind !== 'requests') throw new Error('no requests');
    expect(translation.requests[0]?.headers['authorization']).toBeUndefined();
  });

  it('batches contacts, puts a second input for the same email in its own request, maps a refused input to its event', async () => {
    emulator.reset();
    const settings = parsed(hubspot, base());
    const emails = ['a@x.io', 'b@x.io', 'A@x.io', 'c@x.io'];
    const payloads = emails.map((email, i) => {
      const prepared = prepareEvent(
        hubspot,
        specEvent({ type: 'identify', messageId: `m-${i}`, traits: { email, n: i } }),
        settings,
      );
      if (!('payload' in prepared)) throw new Error(prepared.message);
      return prepared.payload;
    });
    const requests = buildRequests(hubspot, 'upsertContact', payloads, settings);
    expect(requests.map((r) => r.itemEvents)).toEqual([[0, 1, 3], [2]]);
    const answers = await deliverAll(hubspot, requests);
    expect(answers.map((a) => a.outcome.kind)).toEqual(['delivered', 'delivered']);
    expect(emulator.contacts.get('a@x.io')?.properties).toMatchObject({ n: '2' });

    // An input HubSpot refuses (the kit never builds one with a bad email): rejected alone.
    const bad = buildRequests(
      hubspot,
      'upsertContact',
      [payloads[1]!, { ...payloads[3]!, email: 'not-an-email' }],
      settings,
    );
    const [answer] = await deliverAll(hubspot, bad);
    expect(answer?.response.status).toBe(207);
    expect(outcomesPerEvent(bad[0]!, answer!.outcome, 2)).toMatchObject([
      { kind: 'delivered' },
      { kind: 'dead-letter', reason: 'REJECTED', message: expect.stringContaining('not-an-email') },
    ]);
  });

  it('HubSpot refuses what the real API refuses, in its error body shape; 429 and 477 are retried', async () => {
    emulator.reset();
    const wrong = translateEvent(
      hubspot,
      specEvent({ type: 'track', event: 'X', properties: { email: 'a@b.co' } }),
      parsed(hubspot, { ...base(), privateAppToken: 'pat-na1-wrong' }),
    );
    if (wrong.kind !== 'requests') throw new Error('no requests');
    const [unauthorised] = await deliverAll(hubspot, wrong.requests);
    expect(unauthorised?.outcome).toMatchObject({ kind: 'dead-letter', reason: 'REJECTED', status: 401 });
    expect(JSON.parse(unauthorised!.response.body)).toMatchObject({
      status: 'error',
      category: 'INVALID_AUTHENTICATION',
      correlationId: expect.any(String),
    });

    const otherPortal = translateEvent(
      hubspot,
      specEvent({ type: 'track', event: 'X', properties: { email: 'a@b.co' } }),
      parsed(hubspot, { ...base(), portalId: '999' }),
    );
    if (otherPortal.kind !== 'requests') throw new Error('no requests');
    const [refused] = await deliverAll(hubspot, otherPortal.requests);
    expect(refused?.outcome).toMatchObject({ kind: 'dead-letter', status: 400 });
    expect(JSON.parse(refused!.response.body)).toMatchObject({ category: 'VALIDATION_ERROR' });

    const good = translateEvent(
      hubspot,
      specEvent({ type: 'track', event: 'X', properties: { email: 'a@b.co' } }),
      parsed(hubspot, base()),
    );
    if (good.kind !== 'requests') throw new Error('no requests');
    emulator.failNext(1, { status: 477, retryAfterSeconds: 3 });
    emulator.failNext(1, { status: 429, body: { status: 'error', policyName: 'TEN_SECONDLY_ROLLING' } });
    const outcomes = [];
    for (let i = 0; i < 4; i++) outcomes.push((await deliverAll(hubspot, good.requests))[0]?.outcome);
    expect(outcomes).toMatchObject([
      { kind: 'retry', status: 477, retryAfterMs: 3000 },
      { kind: 'retry', status: 429 },
      { kind: 'delivered', status: 204 },
      { kind: 'delivered', status: 204 },
    ]);
    // The retried occurrence carries the same uuid: HubSpot counts it once.
    expect(emulator.events).toHaveLength(1);
    expect(emulator.duplicatesIgnored).toBe(1);
  });

  describe('track: occurrences in batches', () => {
    const track = (n: number, event = 'Plan Upgraded') =>
      specEvent({
        type: 'track',
        event,
        messageId: `t-${n}`,
        context: { traits: { email: `p${n}@x.io` } },
        properties: { n, note: n === 2 ? 'y'.repeat(60) : 'ok' },
      });
    const occurrence = (n: number, name = 'plan_upgraded') => ({
      eventName: `pe${PORTAL}_${name}`,
      email: `p${n}@x.io`,
      occurredAt: HAPPENED,
      uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      properties: { n, note: n === 2 ? 'y'.repeat(50) : 'ok' },
    });

    it('a batch is one POST /events/v3/send/batch of every occurrence (at most eventBatchSize), answered 204', async () => {
      emulator.reset();
      const settings = parsed(hubspot, { ...base(), eventBatchSize: 3 });
      expect(batchSize(hubspot, 'sendEvent', settings)).toBe(3);
      expect(batchSize(hubspot, 'sendEvent', parsed(hubspot, base()))).toBe(100);
      expect(batchSize(hubspot, 'sendEvent', parsed(hubspot, { ...base(), eventBatchSize: 500 }))).toBe(500);
      expect(parseSettings(hubspot, { ...base(), eventBatchSize: 501 }).ok).toBe(false);
      const events = [track(1), track(2), track(3)];
      const notices = events.map(() => new Notices());
      const requests = buildRequests(
        hubspot,
        'sendEvent',
        prepareAll(hubspot, events, settings).map((p) => p.payload),
        settings,
        notices,
      );
      expectRequests(
        requests,
        [
          {
            method: 'POST',
            path: '/events/v3/send/batch',
            headers: auth,
            json: { inputs: [occurrence(1), occurrence(2), occurrence(3)] },
          },
        ],
        emulator.baseUrl,
      );
      expect(requests[0]?.itemEvents).toEqual([0, 1, 2]);
      // What each occurrence lost is its event's notice.
      expect(notices.map((n) => n.list.length)).toEqual([0, 1, 0]);
      const [answer] = await deliverAll(hubspot, requests);
      expect(answer?.response).toMatchObject({ status: 204, body: '' });
      expect(answer?.outcome).toEqual({ kind: 'delivered', status: 204 });
      expect(emulator.events.map((e) => e.email)).toEqual(['p1@x.io', 'p2@x.io', 'p3@x.io']);
      // The uuids are the single sends' (from the messageIds): an occurrence sent again counts once.
      const single = translateEvent(hubspot, track(2), settings);
      if (single.kind !== 'requests') throw new Error('no requests');
      expect(single.requests.map((r) => r.url)).toEqual([`${emulator.baseUrl}/events/v3/send`]);
      await deliverAll(hubspot, single.requests);
      expect(emulator.events).toHaveLength(3);
      expect(emulator.duplicatesIgnored).toBe(1);
    });

    it('a batch HubSpot refuses whole is split in halves, a half of one occurrence sent alone, with HubSpot’s message', async () => {
      emulator.reset();
      emulator.defineEvents([`pe${PORTAL}_plan_upgraded`]);
      try {
        const settings = parsed(hubspot, base());
        const events = [track(1), track(2), track(3, 'Never Defined'), track(4), track(5)];
        const [request] = buildRequests(
          hubspot,
          'sendEvent',
          prepareAll(hubspot, events, settings).map((p) => p.payload),
          settings,
        );
        const [refused] = await deliverAll(hubspot, [request!]);
        expect(refused?.response.status).toBe(400);
        expect(refused?.outcome).toMatchObject({
          kind: 'dead-letter',
          reason: 'REJECTED',
          status: 400,
          message: `HTTP 400 VALIDATION_ERROR: Invalid event in batch: Event definition not found for pe${PORTAL}_never_defined`,
        });
        expect(emulator.events).toHaveLength(0);
        const parts = refusedRequestParts(hubspot, request!, refused!.response, refused!.outcome, settings);
        expect(parts.map((p) => [p.url.slice(emulator.baseUrl.length), p.itemEvents])).toEqual([
          ['/events/v3/send/batch', [0, 1, 2]],
          ['/events/v3/send/batch', [3, 4]],
        ]);
        expect(parts.every((p) => p.headers['authorization'] === `Bearer ${TOKEN}`)).toBe(true);
        const answers = await deliverAll(hubspot, parts);
        expect(answers.map((a) => a.response.status)).toEqual([400, 204]);
        const quarters = refusedRequestParts(hubspot, parts[0]!, answers[0]!.response, answers[0]!.outcome, settings);
        expect(quarters.map((p) => [p.url.slice(emulator.baseUrl.length), p.itemEvents])).toEqual([
          ['/events/v3/send/batch', [0, 1]],
          ['/events/v3/send', [2]],
        ]);
        expect(decodeBody(quarters[1]!).json).toEqual(occurrence(3, 'never_defined'));
        const [pair, alone] = await deliverAll(hubspot, quarters);
        expect(pair?.outcome.kind).toBe('delivered');
        expect(alone?.outcome).toMatchObject({
          kind: 'dead-letter',
          message: `HTTP 400 VALIDATION_ERROR: Event definition not found for pe${PORTAL}_never_defined`,
        });
        // A single send is not split further; neither is a refusal every part would get (a wrong token).
        expect(refusedRequestParts(hubspot, quarters[1]!, alone!.response, alone!.outcome, settings)).toEqual([]);
        const unauthorised = {
          status: 401,
          headers: {},
          body: '{"status":"error","category":"INVALID_AUTHENTICATION"}',
        };
        expect(refusedRequestParts(hubspot, request!, unauthorised, refused!.outcome, settings)).toEqual([]);
        // Nor is a batch that went through or must be retried.
        expect(refusedRequestParts(hubspot, request!, answers[1]!.response, answers[1]!.outcome, settings)).toEqual([]);
        const busy = { status: 429, headers: {}, body: '' };
        expect(refusedRequestParts(hubspot, request!, busy, { kind: 'retry', reason: 'HTTP 429' }, settings)).toEqual(
          [],
        );
        expect(emulator.events.map((e) => e.email).sort()).toEqual(['p1@x.io', 'p2@x.io', 'p4@x.io', 'p5@x.io']);
      } finally {
        emulator.defineEvents(undefined);
      }
    });
  });

  describe('group: the company associated with the contact of the call', () => {
    const identify = (email: string, i: number) =>
      specEvent({ type: 'identify', messageId: `i-${i}`, traits: { email } });
    const group = (groupId: string, email: string | undefined, i: number) =>
      specEvent({
        type: 'group',
        groupId,
        messageId: `g-${i}`,
        traits: { name: groupId },
        ...(email ? { context: { traits: { email } } } : {}),
      });

    it('a batch: upsert, read the companies and the contacts, associate each pair; a contact not there yet is a notice', async () => {
      emulator.reset();
      const settings = parsed(hubspot, base());
      const people = prepareAll(hubspot, [identify('ann@x.io', 0), identify('bob@x.io', 1)], settings);
      await deliverAll(
        hubspot,
        buildRequests(
          hubspot,
          'upsertContact',
          people.map((p) => p.payload),
          settings,
        ),
      );
      const groups = prepareAll(
        hubspot,
        [
          group('g-1', 'Ann@x.io', 0),
          group('g-2', 'bob@x.io', 1),
          group('g-3', 'nobody@x.io', 2),
          group('g-4', undefined, 3),
        ],
        settings,
      );
      const perEvent = groups.map(() => new Notices());
      const requests = buildRequests(
        hubspot,
        'upsertCompany',
        groups.map((g) => g.payload),
        settings,
        perEvent,
      );
      expect(requests).toHaveLength(1);
      const { sent, outcome } = await runFlow(hubspot, requests, settings, new Notices(perEvent));
      expect(outcome).toMatchObject({ kind: 'delivered', status: 200 });
      expect(sent.map((r) => `${r.method} ${r.url.slice(emulator.baseUrl.length)}`)).toEqual([
        'POST /crm/v3/objects/companies/batch/upsert',
        'POST /crm/v3/objects/companies/batch/read',
        'POST /crm/v3/objects/contacts/batch/read',
        'POST /crm/v4/associations/companies/contacts/batch/associate/default',
      ]);
      const id = (key: string, store: Map<string, { id: string }>) => store.get(key)?.id;
      const [g1, g2, g3] = ['g-1', 'g-2', 'g-3'].map((g) => id(`segment_group_id:${g}`, emulator.companies));
      const [ann, bob] = [id('ann@x.io', emulator.contacts), id('bob@x.io', emulator.contacts)];
      expect(decodeBody(sent[1]!).json).toEqual({
        idProperty: 'segment_group_id',
        properties: ['segment_group_id'],
        inputs: [{ id: 'g-1' }, { id: 'g-2' }, { id: 'g-3' }],
      });
      expect(decodeBody(sent[2]!).json).toEqual({
        idProperty: 'email',
        properties: ['email'],
        inputs: [{ id: 'ann@x.io' }, { id: 'bob@x.io' }, { id: 'nobody@x.io' }],
      });
      expect(decodeBody(sent[3]!).json).toEqual({
        inputs: [
          { from: { id: g1 }, to: { id: ann } },
          { from: { id: g2 }, to: { id: bob } },
        ],
      });
      expect([...emulator.associations]).toEqual([`${g1}->${ann}`, `${g2}->${bob}`]);
      expect(g3).toBeDefined();
      expect(perEvent.map((n) => n.list)).toEqual([
        [],
        [],
        [
          {
            kind: 'dropped',
            field: 'contact',
            reason:
              'the company is not associated with the contact: no HubSpot contact has the email nobody@x.io (identify creates contacts)',
          },
        ],
        [],
      ]);
    });

    it('a company HubSpot refuses is rejected alone (the upsert’s 207 stays the outcome); the others go unassociated, with a notice', async () => {
      const settings = parsed(hubspot, base());
      const groups = prepareAll(hubspot, [group('g-5', 'ann@x.io', 0), group('g-6', 'ann@x.io', 1)], settings);
      const perEvent = groups.map(() => new Notices());
      // A value HubSpot refuses (the kit never sends an object as a property value).
      const [request] = buildRequests(
        hubspot,
        'upsertCompany',
        groups.map((g) => g.payload),
        settings,
        perEvent,
      );
      const body = decodeBody(request!).json as { inputs: { properties: Record<string, unknown> }[] };
      body.inputs[1]!.properties['name'] = { not: 'text' };
      const broken = { ...request!, body: JSON.stringify(body) };
      const { sent, outcome } = await runFlow(hubspot, [broken], settings, new Notices(perEvent));
      expect(sent).toHaveLength(1);
      expect(outcomesPerEvent(broken, outcome as ResponseOutcome, 2)).toMatchObject([
        { kind: 'delivered' },
        { kind: 'dead-letter', reason: 'REJECTED' },
      ]);
      expect(perEvent[0]?.list).toEqual([
        {
          kind: 'dropped',
          field: 'contact',
          reason: 'the company is not associated with the contact: HubSpot refused a company of the same batch',
        },
      ]);
    });

    it('a step after the upsert HubSpot refuses for good (no read scope): the companies are delivered, each unassociated with a notice', async () => {
      const settings = parsed(hubspot, { ...base(), privateAppToken: WRITES_ONLY_TOKEN });
      const events = [group('g-7', 'ann@x.io', 0), group('g-8', undefined, 1)];
      const perEvent = events.map(() => new Notices());
      const upsert = (e: typeof events) => prepareAll(hubspot, e, settings).map((g) => g.payload);
      const requests = buildRequests(hubspot, 'upsertCompany', upsert(events), settings, perEvent);
      const { sent, outcome } = await runFlow(hubspot, requests, settings, new Notices(perEvent));
      expect(sent.map((r) => r.url.slice(emulator.baseUrl.length))).toEqual([
        '/crm/v3/objects/companies/batch/upsert',
        '/crm/v3/objects/companies/batch/read',
      ]);
      // The upsert's outcome: both companies are saved, neither event is dead-lettered.
      expect(outcome).toMatchObject({ kind: 'delivered', status: 200 });
      expect(emulator.companies.has('segment_group_id:g-7')).toBe(true);
      expect(emulator.companies.has('segment_group_id:g-8')).toBe(true);
      expect(perEvent.map((n) => n.list)).toEqual([
        [
          {
            kind: 'dropped',
            field: 'contact',
            reason: expect.stringMatching(
              /^the company is not associated with the contact: HubSpot refused reading the companies: HTTP 403 MISSING_SCOPES: This app hasn't been granted/,
            ),
          },
        ],
        [],
      ]);
    });

    it('the emulator checks the association inputs: unknown record ids are named in a 207, more than 100 inputs refused', async () => {
      const settings = parsed(hubspot, base());
      const url = `${emulator.baseUrl}/crm/v4/associations/companies/contacts/batch/associate/default`;
      const post = (inputs: unknown[]) => ({
        method: 'POST' as const,
        url,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ inputs }),
      });
      const pair = { from: { id: '999999' }, to: { id: '888888' } };
      const [unknown] = await deliverAll(hubspot, [post([pair])]);
      expect(unknown?.response.status).toBe(207);
      expect(JSON.parse(unknown!.response.body)).toMatchObject({
        numErrors: 1,
        errors: [{ category: 'OBJECT_NOT_FOUND' }],
      });
      const [tooMany] = await deliverAll(hubspot, [post(Array.from({ length: 101 }, () => pair))]);
      expect(tooMany?.response.status).toBe(400);
      expect(settings.companyIdProperty).toBe('segment_group_id');
    });
  });
});
