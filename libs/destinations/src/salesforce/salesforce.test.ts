import {
  batchSize,
  buildRequests,
  catalogEntry,
  classifyResponse,
  combineOutcomes,
  Notices,
  outcomesPerEvent,
  translateEvent,
  withAccessToken,
  type RequestDescriptor,
} from '@manifold/destination-kit';
import { validateDefinition } from '@manifold/destination-kit/testing';
import { SalesforceEmulator } from '@manifold/emulators';
import type { SpecEvent } from '@manifold/events';
import { salesforce, type SalesforceSettings } from './index';
import {
  deliver,
  expectRequests,
  parsed,
  prepareAll,
  runFlow as sendFlow,
  specEvent,
  type ExpectedRequest,
} from '../test-support/harness';

// Table cases: the exact requests out of each event, then the whole flow (lookup, create or
// update) sent to the Salesforce emulator with an OAuth access token, which must take it.

const V = '/services/data/v62.0';
const query = (soql: string) => `${V}/query?${new URLSearchParams({ q: soql }).toString()}`;

interface SalesforceCase {
  name: string;
  event: SpecEvent;
  settings?: Record<string, unknown>;
  /** Records already in the org before the event. */
  seed?: { object: 'Lead' | 'Contact' | 'Account'; fields: Record<string, unknown> }[];
  expect:
    | {
        /** The first request(s) the event makes. */
        requests: ExpectedRequest[];
        notices?: unknown[];
        /** Method and path of every request of the flow as sent. */
        flow: string[];
        /** The record the flow leaves in the org. */
        record: { object: 'Lead' | 'Contact' | 'Account'; match: [string, string]; fields: Record<string, unknown> };
      }
    | { drop: string; message: string };
}

const cases: SalesforceCase[] = [
  {
    name: 'identify, no Lead with the email yet: lookup by email, then created with the standard fields and __c traits',
    event: specEvent({
      type: 'identify',
      userId: 'u-1',
      traits: {
        email: 'ann@example.com',
        first_name: 'Ann',
        lastName: 'Lee',
        company: { name: 'Acme' },
        phone: '+33 1 23 45 67 89',
        title: 'CTO',
        website: 'https://acme.example',
        address: { street: '1 rue de Rivoli', city: 'Paris', postal_code: '75001', country: 'France' },
        Plan__c: 'pro',
      },
    }),
    expect: {
      requests: [{ method: 'GET', path: query("SELECT Id FROM Lead WHERE Email = 'ann@example.com' LIMIT 2") }],
      flow: ['GET /query', 'POST /sobjects/Lead'],
      record: {
        object: 'Lead',
        match: ['Email', 'ann@example.com'],
        fields: {
          FirstName: 'Ann',
          LastName: 'Lee',
          Email: 'ann@example.com',
          Phone: '+33 1 23 45 67 89',
          Title: 'CTO',
          Website: 'https://acme.example',
          Company: 'Acme',
          Street: '1 rue de Rivoli',
          City: 'Paris',
          PostalCode: '75001',
          Country: 'France',
          Plan__c: 'pro',
        },
      },
    },
  },
  {
    name: 'identify of a Lead that exists: found by email (any case), updated; a trait with no field left out with a notice',
    seed: [{ object: 'Lead', fields: { LastName: 'Lee', Company: 'Acme', Email: 'Bo@Example.com' } }],
    event: specEvent({
      type: 'identify',
      traits: { email: 'bo@example.com', title: 'VP', plan: 'team', Tags__c: ['a', 'b'] },
    }),
    expect: {
      requests: [{ method: 'GET', path: query("SELECT Id FROM Lead WHERE Email = 'bo@example.com' LIMIT 2") }],
      notices: [
        {
          kind: 'dropped',
          field: 'traits.plan',
          reason: 'no Lead field is named plan (send it as a custom field, e.g. Plan__c)',
        },
        { kind: 'converted', field: 'traits.Tags__c', reason: 'list joined with ";" (multi-select picklist value)' },
      ],
      flow: ['GET /query', 'PATCH /sobjects/Lead/:id'],
      record: {
        object: 'Lead',
        match: ['Email', 'bo@example.com'],
        fields: { LastName: 'Lee', Company: 'Acme', Email: 'bo@example.com', Title: 'VP', Tags__c: 'a;b' },
      },
    },
  },
  {
    name: 'identify: quotes in the email are escaped in the SOQL',
    event: specEvent({ type: 'identify', traits: { email: "o'neil@example.com", last_name: "O'Neil", company: 'X' } }),
    expect: {
      requests: [{ method: 'GET', path: query("SELECT Id FROM Lead WHERE Email = 'o\\'neil@example.com' LIMIT 2") }],
      flow: ['GET /query', 'POST /sobjects/Lead'],
      record: {
        object: 'Lead',
        match: ['Email', "o'neil@example.com"],
        fields: { LastName: "O'Neil", Company: 'X', Email: "o'neil@example.com" },
      },
    },
  },
  {
    name: 'identify as a Contact upserted by an external id field holding the userId (Mailing address; no Company field)',
    settings: { identifyObject: 'Contact', identifyExternalIdField: 'Segment_Id__c' },
    event: specEvent({
      type: 'identify',
      userId: 'u-42',
      traits: {
        email: 'cy@example.com',
        last_name: 'Cy',
        company: 'Acme',
        address: { city: 'Lyon', planet: 'Earth' },
      },
    }),
    expect: {
      requests: [
        {
          method: 'PATCH',
          path: `${V}/sobjects/Contact/Segment_Id__c/u-42`,
          json: { LastName: 'Cy', Email: 'cy@example.com', MailingCity: 'Lyon' },
        },
      ],
      notices: [
        { kind: 'dropped', field: 'traits.company', reason: 'a Contact has no Company field' },
        { kind: 'dropped', field: 'traits.address.planet', reason: 'Salesforce addresses have no such part' },
      ],
      flow: ['PATCH /sobjects/Contact/Segment_Id__c/u-42'],
      record: {
        object: 'Contact',
        match: ['Segment_Id__c', 'u-42'],
        fields: { LastName: 'Cy', Email: 'cy@example.com', MailingCity: 'Lyon', Segment_Id__c: 'u-42' },
      },
    },
  },
  {
    name: 'identify by external id with an email that is not an address: Email left out (noticed), the Lead still upserted',
    settings: { identifyExternalIdField: 'Segment_Id__c' },
    event: specEvent({
      type: 'identify',
      userId: 'u-43',
      traits: { email: 'not an email', last_name: 'Lee', company: 'Acme' },
    }),
    expect: {
      requests: [
        {
          method: 'PATCH',
          path: `${V}/sobjects/Lead/Segment_Id__c/u-43`,
          json: { LastName: 'Lee', Company: 'Acme' },
        },
      ],
      notices: [{ kind: 'dropped', field: 'email', reason: 'not an email address' }],
      flow: ['PATCH /sobjects/Lead/Segment_Id__c/u-43'],
      record: {
        object: 'Lead',
        match: ['Segment_Id__c', 'u-43'],
        fields: { LastName: 'Lee', Company: 'Acme', Segment_Id__c: 'u-43' },
      },
    },
  },
  {
    name: 'group: Account found by AccountNumber = groupId, created with billing address and employees as a number',
    event: specEvent({
      type: 'group',
      groupId: 'g-77',
      traits: {
        name: 'Acme',
        employees: '120',
        industry: 'Retail',
        address: { city: 'Paris', postalCode: '75001' },
        Tier__c: 'gold',
      },
    }),
    expect: {
      requests: [{ method: 'GET', path: query("SELECT Id FROM Account WHERE AccountNumber = 'g-77' LIMIT 2") }],
      notices: [{ kind: 'converted', field: 'traits.employees', reason: 'string to number' }],
      flow: ['GET /query', 'POST /sobjects/Account'],
      record: {
        object: 'Account',
        match: ['AccountNumber', 'g-77'],
        fields: {
          Name: 'Acme',
          NumberOfEmployees: 120,
          Industry: 'Retail',
          BillingCity: 'Paris',
          BillingPostalCode: '75001',
          Tier__c: 'gold',
          AccountNumber: 'g-77',
        },
      },
    },
  },
  {
    name: 'group with an Account external id field: one upsert, an existing Account updated (200, created: false)',
    settings: { accountExternalIdField: 'Segment_Group_Id__c' },
    seed: [{ object: 'Account', fields: { Name: 'Old name', Segment_Group_Id__c: 'g-9' } }],
    event: specEvent({ type: 'group', groupId: 'g-9', traits: { name: 'New name' } }),
    expect: {
      requests: [
        { method: 'PATCH', path: `${V}/sobjects/Account/Segment_Group_Id__c/g-9`, json: { Name: 'New name' } },
      ],
      flow: ['PATCH /sobjects/Account/Segment_Group_Id__c/g-9'],
      record: {
        object: 'Account',
        match: ['Segment_Group_Id__c', 'g-9'],
        fields: { Name: 'New name', Segment_Group_Id__c: 'g-9' },
      },
    },
  },
  {
    name: 'identify of a new Lead with a name and no company: name split, Company "[not provided]" as Salesforce fills it',
    event: specEvent({ type: 'identify', traits: { email: 'ada@example.com', name: 'Ada King Lovelace' } }),
    expect: {
      requests: [{ method: 'GET', path: query("SELECT Id FROM Lead WHERE Email = 'ada@example.com' LIMIT 2") }],
      notices: [{ kind: 'converted', field: 'traits.name', reason: 'split into FirstName and LastName' }],
      flow: ['GET /query', 'POST /sobjects/Lead'],
      record: {
        object: 'Lead',
        match: ['Email', 'ada@example.com'],
        fields: { FirstName: 'Ada King', LastName: 'Lovelace', Company: '[not provided]', Email: 'ada@example.com' },
      },
    },
  },
  {
    name: 'identify without an email (found by email): dropped',
    event: specEvent({ type: 'identify', traits: { last_name: 'Lee' } }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'needs an email' },
  },
  {
    name: 'identify without a userId (upsert by external id): dropped',
    settings: { identifyExternalIdField: 'Segment_Id__c' },
    event: specEvent({ type: 'identify', userId: null, anonymousId: 'a-1', traits: { email: 'a@b.co' } }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'needs a userId' },
  },
  {
    name: 'track: not supported',
    event: specEvent({ type: 'track', event: 'Signed Up' }),
    expect: { drop: 'UNSUPPORTED_EVENT_TYPE', message: 'Leads, Contacts and Accounts' },
  },
];

describe('Salesforce', () => {
  let sf: SalesforceEmulator;
  let token: string;
  beforeAll(async () => {
    sf = await new SalesforceEmulator({
      oauth: { clientId: 'sf-app', clientSecret: 'sf-app-secret', scopes: ['api', 'refresh_token'] },
      customFields: { Lead: ['Plan__c', 'Tags__c'], Account: ['Tier__c'] },
      externalIdFields: { Contact: ['Segment_Id__c'], Lead: ['Segment_Id__c'], Account: ['Segment_Group_Id__c'] },
    }).start();
    token = sf.oauth.grant().accessToken;
  });
  afterAll(() => sf.close());

  const settings = (raw: Record<string, unknown> = {}) =>
    parsed(salesforce, { instanceUrl: sf.baseUrl, ...raw }) as SalesforceSettings;

  /** A flow sent with the access token; the method and path of each request as sent (Ids as `:id`). */
  async function runFlow(requests: RequestDescriptor[], s: SalesforceSettings) {
    const flow = await sendFlow(salesforce, requests, s, new Notices(), (r) => withAccessToken(r, token));
    const sent = flow.sent.map(
      (r) => `${r.method} ${new URL(r.url).pathname.replace(V, '').replace(/\/(00Q|003|001)\w+$/, '/:id')}`,
    );
    return { sent, outcome: flow.outcome };
  }

  it('is a valid definition, connected with OAuth only, with no secret setting', () => {
    expect(validateDefinition(salesforce)).toEqual([]);
    const entry = catalogEntry(salesforce);
    // Only URL userinfo would be masked: no setting holds a credential.
    expect(entry.secrets).toEqual({ instanceUrl: 'url' });
    expect(entry.oauth?.scopes).toEqual(['api', 'refresh_token']);
    expect(entry.supportedCallTypes).toEqual(['identify', 'group']);
    expect(salesforce.oauth?.keep).toEqual({ instance_url: 'instanceUrl' });
    expect(salesforce.oauth?.endpointsBySetting?.values['sandbox']?.tokenUrl).toBe(
      'https://test.salesforce.com/services/oauth2/token',
    );
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    sf.reset();
    for (const seed of testCase.seed ?? []) sf.addRecord(seed.object, seed.fields);
    const s = settings(testCase.settings);
    const translation = translateEvent(salesforce, testCase.event, s);
    if ('drop' in testCase.expect) {
      expect(translation).toMatchObject({ kind: 'drop', reason: testCase.expect.drop });
      if (translation.kind === 'drop') expect(translation.message).toContain(testCase.expect.message);
      return;
    }
    if (translation.kind !== 'requests') throw new Error(`expected requests, got ${JSON.stringify(translation)}`);
    expectRequests(translation.requests, testCase.expect.requests, sf.baseUrl);
    for (const request of translation.requests) expect(request.headers['authorization']).toBeUndefined();
    expect(translation.notices).toEqual(testCase.expect.notices ?? []);
    const { sent, outcome } = await runFlow(translation.requests, s);
    expect({ sent, outcome: outcome.kind }).toEqual({ sent: testCase.expect.flow, outcome: 'delivered' });
    const { object, match, fields } = testCase.expect.record;
    const found = sf.find(object, match[0], match[1]);
    expect(found).toHaveLength(1);
    expect(found[0]?.fields).toEqual(fields);
  });

  it('Salesforce refuses what the real API refuses, in its error array; the flow ends with the reason', async () => {
    sf.reset();
    // A Lead upserted by external id without Company (a new one needs it): REQUIRED_FIELD_MISSING, final.
    const s = settings({ identifyExternalIdField: 'Segment_Id__c' });
    const noCompany = translateEvent(
      salesforce,
      specEvent({ type: 'identify', userId: 'u-7', traits: { email: 'x@y.co', last_name: 'X' } }),
      s,
    );
    if (noCompany.kind !== 'requests') throw new Error('no requests');
    expect((await runFlow(noCompany.requests, s)).outcome).toMatchObject({
      kind: 'dead-letter',
      reason: 'REJECTED',
      status: 400,
      message: 'HTTP 400: REQUIRED_FIELD_MISSING: Required fields are missing: [Company]',
    });
    // An unknown field: INVALID_FIELD, final.
    const unknown = translateEvent(
      salesforce,
      specEvent({ type: 'identify', userId: 'u-8', traits: { last_name: 'X', company: 'C', Nope__c: 1 } }),
      s,
    );
    if (unknown.kind !== 'requests') throw new Error('no requests');
    expect((await runFlow(unknown.requests, s)).outcome).toMatchObject({
      status: 400,
      message: "HTTP 400: INVALID_FIELD: No such column 'Nope__c' on sobject of type Lead",
    });
    // Two Leads with one email: none updated (Segment's rule), final.
    sf.addRecord('Lead', { LastName: 'A', Company: 'C', Email: 'twin@y.co' });
    sf.addRecord('Lead', { LastName: 'B', Company: 'C', Email: 'twin@y.co' });
    const twin = translateEvent(
      salesforce,
      specEvent({ type: 'identify', traits: { email: 'twin@y.co' } }),
      settings(),
    );
    if (twin.kind !== 'requests') throw new Error('no requests');
    expect((await runFlow(twin.requests, settings())).outcome).toMatchObject({
      kind: 'dead-letter',
      status: 300,
      message: expect.stringContaining('several Lead records have Email = "twin@y.co"'),
    });
    // An expired access token: 401 INVALID_SESSION_ID (the translator refreshes and retries once).
    sf.oauth.expireAccessTokens();
    const expired = await runFlow(twin.requests, settings());
    expect(expired.outcome).toMatchObject({ status: 401, message: expect.stringContaining('INVALID_SESSION_ID') });
    token = sf.oauth.grant().accessToken;
  });

  it('batched upserts by external id: one sObject Collections request, each event its own UpsertResult', async () => {
    sf.reset();
    sf.addRecord('Lead', { LastName: 'Old', Company: 'C', Segment_Id__c: 'u-2' });
    const s = settings({ identifyExternalIdField: 'Segment_Id__c' });
    expect(batchSize(salesforce, 'upsertPerson', s)).toBe(200);
    // A lookup by email is never batched.
    expect(batchSize(salesforce, 'upsertPerson', settings())).toBe(1);
    const identify = (userId: string, traits: Record<string, unknown>) =>
      specEvent({ type: 'identify', userId, traits });
    const events = [
      identify('u-1', { email: 'a@x.co', last_name: 'A', company: 'Acme' }),
      identify('u-2', { title: 'CTO' }),
      identify('u-3', { last_name: 'C' }),
      identify('U-1', { title: 'CEO' }),
    ];
    const prepared = prepareAll(salesforce, events, s);
    const payloads = prepared.map((p) => p.payload as Record<string, unknown>);
    const requests = buildRequests(salesforce, 'upsertPerson', payloads, s);
    expectRequests(
      requests,
      [
        {
          method: 'PATCH',
          path: `${V}/composite/sobjects/Lead/Segment_Id__c`,
          json: {
            allOrNone: false,
            records: [
              // The same external id twice (Salesforce compares them without case): one record,
              // the later event's values winning.
              {
                attributes: { type: 'Lead' },
                Email: 'a@x.co',
                LastName: 'A',
                Company: 'Acme',
                Title: 'CEO',
                Segment_Id__c: 'U-1',
              },
              { attributes: { type: 'Lead' }, Title: 'CTO', Segment_Id__c: 'u-2' },
              { attributes: { type: 'Lead' }, LastName: 'C', Segment_Id__c: 'u-3' },
            ],
          },
        },
      ],
      sf.baseUrl,
    );
    expect(requests.map((r) => [r.itemEvents, r.itemBodyIndex])).toEqual([
      [
        [0, 1, 2, 3],
        [0, 1, 2, 0],
      ],
    ]);
    const perEvent: ReturnType<typeof outcomesPerEvent>[] = [];
    for (const request of requests) {
      const response = await deliver(withAccessToken(request, token));
      perEvent.push(outcomesPerEvent(request, classifyResponse(salesforce, request, response), events.length));
    }
    const outcomes = events.map((_e, i) => combineOutcomes(perEvent.map((list) => list[i]!)));
    expect(outcomes).toMatchObject([
      { kind: 'delivered' },
      { kind: 'delivered' },
      {
        kind: 'dead-letter',
        reason: 'REJECTED',
        message: expect.stringContaining('REQUIRED_FIELD_MISSING: Required fields are missing: [Company]'),
      },
      { kind: 'delivered' },
    ]);
    expect(sf.find('Lead', 'Segment_Id__c', 'U-1')[0]?.fields).toMatchObject({ LastName: 'A', Title: 'CEO' });
    expect(sf.find('Lead', 'Segment_Id__c', 'u-2')[0]?.fields).toMatchObject({ LastName: 'Old', Title: 'CTO' });
    expect(sf.find('Lead', 'Segment_Id__c', 'u-3')).toEqual([]);
  });

  it('batched Accounts by external id; a 5xx or a refusal of the whole collection reaches only its own events', async () => {
    sf.reset();
    const s = settings({ accountExternalIdField: 'Segment_Group_Id__c' });
    const events = [
      specEvent({ type: 'group', groupId: 'g-1', traits: { name: 'Acme', employees: 12 } }),
      specEvent({ type: 'group', groupId: 'g-2', traits: { name: 'Beta', Tier__c: 'gold' } }),
    ];
    const payloads = prepareAll(salesforce, events, s).map((p) => p.payload as Record<string, unknown>);
    const [request] = buildRequests(salesforce, 'upsertAccount', payloads, s);
    expect(JSON.parse(request!.body!)).toEqual({
      allOrNone: false,
      records: [
        { attributes: { type: 'Account' }, Name: 'Acme', NumberOfEmployees: 12, Segment_Group_Id__c: 'g-1' },
        { attributes: { type: 'Account' }, Name: 'Beta', Tier__c: 'gold', Segment_Group_Id__c: 'g-2' },
      ],
    });
    const response = await deliver(withAccessToken(request!, token));
    expect(outcomesPerEvent(request!, classifyResponse(salesforce, request!, response), 2).map((o) => o.kind)).toEqual([
      'delivered',
      'delivered',
    ]);
    expect(sf.find('Account', 'Segment_Group_Id__c', 'g-2')[0]?.fields).toMatchObject({
      Name: 'Beta',
      Tier__c: 'gold',
    });
    // An answer to the whole request counts for its events only (here events 0 and 1 of a batch of 3).
    const unavailable = { status: 503, headers: {}, body: '[{"errorCode":"SERVER_UNAVAILABLE","message":"busy"}]' };
    expect(
      outcomesPerEvent(request!, classifyResponse(salesforce, request!, unavailable), 3).map((o) => o.kind),
    ).toEqual(['retry', 'retry', 'delivered']);
  });

  it('a used-up daily API allocation (403 REQUEST_LIMIT_EXCEEDED) is retried; Sforce-Limit-Info counts the calls', async () => {
    const limited = await new SalesforceEmulator({
      oauth: { clientId: 'sf-app', clientSecret: 'sf-app-secret' },
      externalIdFields: { Lead: ['Segment_Id__c'] },
      dailyApiLimit: 1,
    }).start();
    try {
      const s = parsed(salesforce, {
        instanceUrl: limited.baseUrl,
        identifyExternalIdField: 'Segment_Id__c',
      }) as SalesforceSettings;
      const t = translateEvent(
        salesforce,
        specEvent({ type: 'identify', userId: 'u-1', traits: { last_name: 'L', company: 'C' } }),
        s,
      );
      if (t.kind !== 'requests') throw new Error('no requests');
      const accessToken = limited.oauth.grant().accessToken;
      const first = await deliver(withAccessToken(t.requests[0]!, accessToken));
      expect(first.status).toBe(201);
      expect(first.headers['sforce-limit-info']).toBe('api-usage=1/1');
      const second = await deliver(withAccessToken(t.requests[0]!, accessToken));
      expect(classifyResponse(salesforce, t.requests[0]!, second)).toMatchObject({ kind: 'retry', status: 403 });
    } finally {
      await limited.close();
    }
  });

  it('without an instance URL (not connected yet) the event is dead-lettered, not lost', () => {
    const t = translateEvent(
      salesforce,
      specEvent({ type: 'identify', traits: { email: 'a@b.co' } }),
      parsed(salesforce, {}),
    );
    expect(t).toMatchObject({ kind: 'dead-letter', reason: 'INVALID_SETTINGS' });
  });
});
