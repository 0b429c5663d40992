import {
  batchSize,
  buildRequests,
  catalogEntry,
  Notices,
  outcomesPerEvent,
  translateEvent,
  type FieldNotice,
} from '@manifold/destination-kit';
import { validateDefinition } from '@manifold/destination-kit/testing';
import { MailchimpEmulator } from '@manifold/emulators';
import type { SpecEvent } from '@manifold/events';
import { mailchimp } from './index';
import { subscriberHash } from './api';
import {
  decodeBody,
  deliverAll,
  NOW,
  parsed,
  prepareAll,
  runFlow,
  runTranslationCases,
  specEvent,
  TIMESTAMP,
  type TranslationCase,
} from '../test-support/harness';
import { requestsOf, unsupportedCases } from '../test-support/cases';

const KEY = 'f00dfeedf00dfeedf00dfeedf00dfeed-us6';
const LIST = 'a1b2c3d4e5';
const OTHER_LIST = 'f6e5d4c3b2';
const ANN = 'ann@example.com';
const members = (email: string) => `/3.0/lists/${LIST}/members/${subscriberHash(email)}`;
const auth = { authorization: `Basic ${Buffer.from(`manifold:${KEY}`).toString('base64')}` };
const put = (email: string, json: Record<string, unknown>) => ({
  method: 'PUT',
  path: members(email),
  headers: auth,
  json,
});
const eventPost = (json: Record<string, unknown>) => ({
  method: 'POST',
  path: `${members(ANN)}/events`,
  headers: auth,
  json,
});
const withEmail = (partial: Partial<SpecEvent> & Pick<SpecEvent, 'type'>) =>
  specEvent({ ...partial, context: { ...specEvent({ type: 'track' }).context, traits: { email: ANN } } });

// Single requests: identifies without merge values, and tracks.
const cases: TranslationCase[] = [
  {
    name: 'identify with only an email → PUT member by MD5 of the lower-cased email, subscribed when new',
    event: specEvent({ type: 'identify', traits: { email: 'Ann@Example.com' } }),
    expect: { requests: [put(ANN, { email_address: 'Ann@Example.com', status_if_new: 'subscribed' })] },
  },
  {
    name: 'double opt-in: new members pending',
    event: specEvent({ type: 'identify', traits: { email: 'bo@example.com' } }),
    settings: { doubleOptIn: true },
    expect: { requests: [put('bo@example.com', { email_address: 'bo@example.com', status_if_new: 'pending' })] },
  },
  {
    name: 'integrations.MailChimp.listId sends the member to that audience instead (Segment’s per-call override)',
    event: specEvent({
      type: 'identify',
      traits: { email: 'cy@example.com' },
      integrations: { MailChimp: { listId: OTHER_LIST } },
    }),
    expect: {
      requests: [
        {
          ...put('cy@example.com', { email_address: 'cy@example.com', status_if_new: 'subscribed' }),
          path: `/3.0/lists/${OTHER_LIST}/members/${subscriberHash('cy@example.com')}`,
        },
      ],
    },
  },
  {
    name: 'identify without email is dropped, naming it',
    event: specEvent({ type: 'identify', traits: { firstName: 'Ann' } }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'need an email (traits.email)' },
  },
  {
    name: 'track → member event: name, properties as text, occurred_at',
    event: withEmail({ type: 'track', event: 'Plan_Upgraded', properties: { plan: 'team', seats: 5, trial: false } }),
    expect: {
      requests: [
        eventPost({
          name: 'Plan_Upgraded',
          properties: { plan: 'team', seats: '5', trial: 'false' },
          occurred_at: TIMESTAMP,
          is_syncing: false,
        }),
      ],
      notices: [
        { kind: 'converted', field: 'properties.seats', reason: 'number to string' },
        { kind: 'converted', field: 'properties.trial', reason: 'boolean to string' },
      ],
    },
  },
  {
    name: 'track with a name Mailchimp does not take: reshaped; objects as JSON text; isSyncing honoured',
    event: withEmail({
      type: 'track',
      event: 'Signed Up for the Spring Newsletter Promo',
      properties: { cart: { items: 2 }, isSyncing: 'true' },
    }),
    expect: {
      requests: [
        eventPost({
          name: 'Signed_Up_for_the_Spring_Newsl',
          properties: { cart: '{"items":2}' },
          occurred_at: TIMESTAMP,
          is_syncing: true,
        }),
      ],
      notices: [
        { kind: 'converted', field: 'isSyncing', reason: 'string to boolean' },
        {
          kind: 'converted',
          field: 'name',
          reason: 'sent as Signed_Up_for_the_Spring_Newsl (letters, digits, _ and -, 2 to 30)',
        },
        { kind: 'converted', field: 'properties.cart', reason: 'object sent as JSON text' },
      ],
    },
  },
  {
    name: 'track without an email is dropped, naming where it is read',
    event: specEvent({ type: 'track', event: 'Tick' }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'properties.email or context.traits.email' },
  },
  ...unsupportedCases({ page: 'page views', screen: 'screen views', group: 'groups', alias: 'named by email' }),
];

interface FlowCase {
  name: string;
  event: SpecEvent;
  settings?: Record<string, unknown>;
  steps: string[];
  member: Record<string, unknown>;
  notices?: FieldNotice[];
}

const FIELDS = `/3.0/lists/${LIST}/merge-fields?count=1000`;
const MERGE_POST = `/3.0/lists/${LIST}/merge-fields`;
const flowCases: FlowCase[] = [
  {
    name: 'identify: standard merge fields, traits as merge tags (created when missing), then tags',
    event: specEvent({
      type: 'identify',
      traits: {
        email: ANN,
        firstName: 'Ann',
        lastName: 'Lee',
        phone: '+1 415 555 0100',
        birthday: '1990-07-14',
        address: { street: '1 Main St', city: 'Springfield', state: 'IL', postalCode: '62701', country: 'US' },
        plan: 'pro',
        seats: 3,
        favorite_color: 'blue',
        vip: true,
        tags: ['beta', 'vip'],
      },
    }),
    steps: [
      `GET ${FIELDS}`,
      `POST ${MERGE_POST}`,
      `POST ${MERGE_POST}`,
      `POST ${MERGE_POST}`,
      `POST ${MERGE_POST}`,
      `GET ${FIELDS}`,
      `PUT ${members(ANN)}`,
      `POST ${members(ANN)}/tags`,
    ],
    member: {
      status: 'subscribed',
      merge_fields: {
        FNAME: 'Ann',
        LNAME: 'Lee',
        PHONE: '+1 415 555 0100',
        BIRTHDAY: '07/14',
        ADDRESS: { addr1: '1 Main St', city: 'Springfield', state: 'IL', zip: '62701', country: 'US' },
        PLAN: 'pro',
        SEATS: 3,
        FAVORITECO: 'blue',
        VIP: 'true',
      },
      tags: ['beta', 'vip'],
    },
    notices: [
      { kind: 'converted', field: 'merge_fields.BIRTHDAY', reason: 'sent as MM/DD (Mailchimp birthdays have no year)' },
      { kind: 'converted', field: 'merge_fields.favorite_color', reason: 'sent as merge tag FAVORITECO' },
      { kind: 'converted', field: 'merge_fields.vip', reason: 'boolean to string' },
    ],
  },
  {
    name: 'values converted to an existing field’s type, or left out; an incomplete address left out',
    event: specEvent({
      type: 'identify',
      traits: { email: ANN, score: '12', level: 'high', address: { city: 'Paris' } },
    }),
    steps: [`GET ${FIELDS}`, `PUT ${members(ANN)}`],
    member: { merge_fields: { SCORE: 12 } },
    notices: [
      {
        kind: 'dropped',
        field: 'merge_fields.ADDRESS',
        reason: 'Mailchimp needs street, city, state and postal code together',
      },
      { kind: 'converted', field: 'merge_fields.SCORE', reason: 'string to number' },
      { kind: 'dropped', field: 'merge_fields.LEVEL', reason: 'not a number' },
    ],
  },
  {
    name: 'creating merge fields off: unknown tags left out with a notice',
    event: specEvent({ type: 'identify', traits: { email: ANN, firstName: 'Ann', team: 'core' } }),
    settings: { createMergeFields: false },
    steps: [`GET ${FIELDS}`, `PUT ${members(ANN)}`],
    member: { merge_fields: { FNAME: 'Ann' } },
    notices: [
      {
        kind: 'dropped',
        field: 'merge_fields.TEAM',
        reason: 'no such merge field in the audience (creating them is turned off)',
      },
    ],
  },
];

describe('Mailchimp', () => {
  let emulator: MailchimpEmulator;
  const numberFields = [
    { tag: 'SCORE', name: 'score', type: 'number' as const },
    { tag: 'LEVEL', name: 'level', type: 'number' as const },
  ];
  beforeAll(async () => {
    emulator = await new MailchimpEmulator({ apiKey: KEY, listIds: [LIST, OTHER_LIST], now: () => NOW }).start();
  });
  afterAll(() => emulator.close());

  const base = () => ({ apiKey: KEY, listId: LIST, apiBaseUrl: `${emulator.baseUrl}/3.0` });
  const seedMember = async () => {
    const [request] = requestsOf(mailchimp, specEvent({ type: 'identify', traits: { email: ANN } }), base());
    await deliverAll(mailchimp, [request!]);
  };

  it('has a valid definition and catalog entry; the key is a secret; the host follows the key', () => {
    expect(validateDefinition(mailchimp)).toEqual([]);
    expect(catalogEntry(mailchimp)).toMatchObject({
      id: 'mailchimp',
      secrets: { apiKey: 'whole', apiBaseUrl: 'url' },
      supportedCallTypes: ['identify', 'track'],
    });
    const [request] = requestsOf(mailchimp, specEvent({ type: 'identify', traits: { email: ANN } }), {
      apiKey: KEY,
      listId: LIST,
    });
    expect(request?.url).toBe(`https://us6.api.mailchimp.com/3.0/lists/${LIST}/members/${subscriberHash(ANN)}`);
    expect(subscriberHash('Bob.Dole@Example.com')).toBe('d03bf92f72b7157eb2d72a68baa41e89');
  });

  describe('table', () => {
    beforeAll(seedMember); // member events need the member
    runTranslationCases(mailchimp, cases, () => ({ baseSettings: base(), baseUrl: emulator.baseUrl }));
  });

  it.each(flowCases.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    emulator.reset();
    for (const field of numberFields) emulator.mergeFields.get(LIST)?.set(field.tag, field);
    const settings = parsed(mailchimp, { ...base(), ...testCase.settings });
    const translation = translateEvent(mailchimp, testCase.event, settings);
    if (translation.kind !== 'requests') throw new Error(JSON.stringify(translation));
    const notices = new Notices();
    notices.addAll(translation.notices);
    const { sent, outcome } = await runFlow(mailchimp, translation.requests, settings, notices);
    expect(sent.map((r) => `${r.method} ${r.url.slice(emulator.baseUrl.length)}`)).toEqual(testCase.steps);
    expect(notices.list).toEqual(testCase.notices ?? []);
    expect(outcome).toMatchObject({ kind: 'delivered' });
    expect(emulator.member(LIST, ANN)).toMatchObject(testCase.member);
  });

  it('a member event for someone not in the audience is rejected (404); a wrong key is final', async () => {
    emulator.reset();
    const track = withEmail({ type: 'track', event: 'Tick' });
    const [missing] = await deliverAll(mailchimp, requestsOf(mailchimp, track, base()));
    expect(missing?.outcome).toMatchObject({
      kind: 'dead-letter',
      status: 404,
      message: expect.stringContaining('Resource Not Found'),
    });
    const [bad] = await deliverAll(mailchimp, requestsOf(mailchimp, track, { ...base(), apiKey: 'x-us6' }));
    expect(bad?.outcome).toMatchObject({
      kind: 'dead-letter',
      status: 401,
      message: expect.stringContaining('API Key Invalid'),
    });
  });

  it('a merge field Mailchimp refuses to create does not stop the member (the flow reads the fields again)', () => {
    const create = {
      method: 'POST' as const,
      url: `${emulator.baseUrl}/3.0/lists/${LIST}/merge-fields`,
      headers: {},
      body: '{"tag":"X","name":"x","type":"text"}',
    };
    const refused = { status: 400, headers: {}, body: '{"title":"Invalid Resource","status":400,"detail":"limit"}' };
    expect(mailchimp.classifyResponse?.(refused, create)).toEqual({ kind: 'delivered', status: 400 });
  });

  it('429, a bare 403 (Mailchimp’s throttling) and 5xx are retried; a 403 with a body is final', async () => {
    const requests = requestsOf(mailchimp, specEvent({ type: 'identify', traits: { email: ANN } }), base());
    emulator.failNext(1, { status: 429, body: { title: 'Too Many Requests', status: 429 } });
    emulator.failNext(1, { status: 403, body: '' });
    emulator.failNext(1, { status: 503 });
    emulator.failNext(1, { status: 403, body: { title: 'User Disabled', status: 403, detail: 'disabled' } });
    const outcomes = [];
    for (let i = 0; i < 5; i++) outcomes.push((await deliverAll(mailchimp, requests))[0]?.outcome.kind);
    expect(outcomes).toEqual(['retry', 'retry', 'retry', 'dead-letter', 'delivered']);
  });

  describe('batches: identifies through the batch subscribe (batchSize > 1)', () => {
    const batched = () => parsed(mailchimp, { ...base(), batchSize: 500 });
    const person = (email: string, i: number, traits: Record<string, unknown> = {}) =>
      specEvent({ type: 'identify', messageId: `b-${i}`, traits: { email, ...traits } });
    const build = (events: SpecEvent[], settings = batched(), notices?: Notices[]) =>
      buildRequests(
        mailchimp,
        'upsertMember',
        prepareAll(mailchimp, events, settings).map((p) => p.payload),
        settings,
        notices,
      );

    it('members without merge values: one POST /lists/{id}, exactly, each member subscribed, tags included', async () => {
      const requests = build([person('b1@example.com', 0, { tags: ['vip'] }), person('b2@example.com', 1)]);
      expect(requests).toHaveLength(1);
      expect(`${requests[0]?.method} ${requests[0]?.url}`).toBe(`POST ${emulator.baseUrl}/3.0/lists/${LIST}`);
      expect(requests[0]?.headers).toMatchObject(auth);
      expect(requests[0]?.itemEvents).toEqual([0, 1]);
      expect(decodeBody(requests[0]!).json).toEqual({
        members: [
          { email_address: 'b1@example.com', status: 'subscribed', tags: ['vip'] },
          { email_address: 'b2@example.com', status: 'subscribed' },
        ],
        update_existing: true,
        sync_tags: false,
      });
      const [answer] = await deliverAll(mailchimp, requests);
      expect(answer?.outcome).toMatchObject({ kind: 'delivered', status: 200 });
      expect(emulator.member(LIST, 'b1@example.com')).toMatchObject({ status: 'subscribed', tags: ['vip'] });
    });

    it('with merge values: the fields read, the missing one created, read again, then the batch with converted values', async () => {
      const settings = batched();
      const perEvent = [new Notices(), new Notices()];
      const requests = build(
        [person('b3@example.com', 0, { firstName: 'Bea', team: 'red' }), person('b4@example.com', 1, { team: 7 })],
        settings,
        perEvent,
      );
      expect(requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
        `GET /3.0/lists/${LIST}/merge-fields`,
      ]);
      const { sent, outcome } = await runFlow(mailchimp, requests, settings, new Notices(perEvent));
      expect(outcome).toMatchObject({ kind: 'delivered', status: 200 });
      expect(sent.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
        `GET /3.0/lists/${LIST}/merge-fields`,
        `POST /3.0/lists/${LIST}/merge-fields`,
        `GET /3.0/lists/${LIST}/merge-fields`,
        `POST /3.0/lists/${LIST}`,
      ]);
      expect(decodeBody(sent[1]!).json).toEqual({ tag: 'TEAM', name: 'team', type: 'text' });
      expect(decodeBody(sent[3]!).json).toEqual({
        members: [
          { email_address: 'b3@example.com', status: 'subscribed', merge_fields: { FNAME: 'Bea', TEAM: 'red' } },
          { email_address: 'b4@example.com', status: 'subscribed', merge_fields: { TEAM: '7' } },
        ],
        update_existing: true,
        sync_tags: false,
      });
      expect(perEvent.map((n) => n.list)).toEqual([
        [],
        [{ kind: 'converted', field: 'merge_fields.TEAM', reason: 'number to string' }],
      ]);
      expect(emulator.member(LIST, 'b4@example.com')?.merge_fields).toEqual({ TEAM: '7' });
    });

    it('a member Mailchimp refuses is rejected alone, the others delivered (one bad member is not a failed batch)', async () => {
      const settings = batched();
      await deliverAll(mailchimp, build([person('gone@example.com', 0)], settings));
      emulator.member(LIST, 'gone@example.com')!.status = 'unsubscribed';
      const requests = build(
        [person('b5@example.com', 0), person('gone@example.com', 1), person('b6@example.com', 2)],
        settings,
      );
      const [answer] = await deliverAll(mailchimp, requests);
      expect(answer?.response.status).toBe(200);
      const outcomes = outcomesPerEvent(requests[0]!, answer!.outcome, 3);
      expect(outcomes).toMatchObject([
        { kind: 'delivered' },
        { kind: 'dead-letter', reason: 'REJECTED', status: 400 },
        { kind: 'delivered' },
      ]);
      expect(outcomes[1]?.kind === 'dead-letter' && outcomes[1].message).toContain('compliance state');
      expect(emulator.member(LIST, 'gone@example.com')?.status).toBe('unsubscribed');
      expect(emulator.member(LIST, 'b6@example.com')?.status).toBe('subscribed');
    });

    it('the same email twice goes in two requests; at most 500 per request, which the emulator checks; off with double opt-in', async () => {
      const twice = build([person('b7@example.com', 0), person('B7@example.com', 1), person('b8@example.com', 2)]);
      expect(twice.map((r) => r.itemEvents)).toEqual([[0, 2], [1]]);
      // One event alone takes the single-member path: two make a batch.
      const [one] = build([person('b9@example.com', 0), person('b10@example.com', 1)]);
      const body = decodeBody(one!).json as { members: unknown[] };
      const tooMany = {
        ...one!,
        body: JSON.stringify({
          ...body,
          members: Array.from({ length: 501 }, (_v, i) => ({
            email_address: `m${i}@example.com`,
            status: 'subscribed',
          })),
        }),
      };
      const [refused] = await deliverAll(mailchimp, [tooMany]);
      expect(refused?.response.status).toBe(400);
      expect(refused?.outcome).toMatchObject({ kind: 'dead-letter', reason: 'REJECTED' });
      expect(batchSize(mailchimp, 'upsertMember', batched())).toBe(500);
      expect(batchSize(mailchimp, 'upsertMember', parsed(mailchimp, base()))).toBe(1);
      expect(
        batchSize(mailchimp, 'upsertMember', parsed(mailchimp, { ...base(), batchSize: 500, doubleOptIn: true })),
      ).toBe(1);
    });
  });
});
