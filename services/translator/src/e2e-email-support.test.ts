// End to end, the email and support tools (SendGrid Marketing Campaigns, Mailchimp, Zendesk):
// ingestion (Tracking API, in-process) → Kafka → a translator per type → emulators. First
// identifies, then a mixed batch: each destination delivers every event its API can take (the
// rest dropped with the reason), custom fields created on the way, what it converted or left out
// counted, and the data lands as the API keeps it (SendGrid contacts with custom fields, Mailchimp
// members with merge fields, tags and events, Zendesk users, an organization and the membership).
// Then the three APIs answer 5xx and then 429 for a while: every event is still accepted exactly
// once, and a client resending part of a batch changes nothing.
import type { Emulator, MailchimpEmulator, SendgridEmulator, ZendeskEmulator } from '@manifold/emulators';
import { uniqueName, waitFor } from '@manifold/testing';
import type { Pipeline } from './test-support/e2e';
import { startEmulatedPipeline } from './test-support/emulated-pipeline';
import { expectOnlyWhatApisCannotTake } from './test-support/delivery-expectations';
import { waitForReports } from './test-support/harness';

const TYPES = ['sendgrid', 'mailchimp', 'zendesk'] as const;
const run = uniqueName('email-support');
const id = (name: string) => `${run}-${name}`;
const web = (path: string) => ({
  ip: '203.0.113.7',
  library: { name: 'analytics.js', version: 'next-1.84.1' },
  page: { url: `https://shop.example.com${path}`, path, title: 'Shop' },
  traits: { email: 'ada@example.com' },
});

const IDENTIFIES = [
  {
    type: 'identify',
    messageId: id('identify-ada'),
    userId: 'user-7',
    anonymousId: 'anon-7',
    traits: {
      email: 'ada@example.com',
      firstName: 'Ada',
      lastName: 'Lovelace',
      phone: 14155550123,
      plan: 'pro',
      seats: 12,
      tags: ['beta'],
      address: { city: 'Paris', country: 'FR', postalCode: '75001' },
    },
    context: web('/account'),
  },
  {
    type: 'identify',
    messageId: id('identify-bo'),
    userId: 'user-9',
    traits: { email: 'bo@example.com', name: 'Bo Diddley' },
    context: { library: { name: 'analytics-android', version: '4.11.3' } },
  },
];

const EVENTS = [
  {
    type: 'track',
    messageId: id('upgraded'),
    userId: 'user-7',
    event: 'Plan Upgraded',
    properties: { plan: 'team', seats: 20 },
    context: web('/billing'),
  },
  {
    type: 'group',
    messageId: id('group'),
    userId: 'user-7',
    groupId: 'acme',
    traits: { name: 'Acme', domainNames: ['acme.test'], industry: 'Tools', employees: 40 },
    context: web('/team'),
  },
  { type: 'page', messageId: id('page'), userId: 'user-7', name: 'Pricing', context: web('/pricing') },
  {
    type: 'track',
    messageId: id('installed'),
    userId: 'user-9',
    event: 'Application Installed',
    properties: { version: '2.3.0' },
    context: { library: { name: 'analytics-android', version: '4.11.3' } },
  },
  { type: 'screen', messageId: id('screen'), userId: 'user-9', name: 'Feed', context: { os: { name: 'Android' } } },
  { type: 'alias', messageId: id('alias'), userId: 'user-9', previousId: 'anon-9' },
];

/** What each API cannot take at all: the only events it drops (with the reason). */
const CANNOT_TAKE: Record<string, Record<string, number>> = {
  // contacts only: tracks, group, page, screen, alias
  sendgrid: { UNSUPPORTED_EVENT_TYPE: 6 },
  // page, screen, group, alias; an app event with no email to name the member
  mailchimp: { UNSUPPORTED_EVENT_TYPE: 4, INVALID_PAYLOAD: 1 },
  // tracks, page, screen, alias
  zendesk: { UNSUPPORTED_EVENT_TYPE: 5 },
};

describe('end to end: email and support tools get everything their APIs take, once', () => {
  let emulators: Record<string, Emulator> = {};
  let pipeline: Pipeline;
  let close = async (): Promise<void> => {};

  beforeAll(async () => {
    ({ pipeline, emulators, close } = await startEmulatedPipeline(TYPES));
  }, 60000);

  afterAll(() => close());

  const sendgrid = () => emulators['sendgrid'] as SendgridEmulator;
  const mailchimp = () => emulators['mailchimp'] as MailchimpEmulator;
  const zendesk = () => emulators['zendesk'] as ZendeskEmulator;
  const reportsTopic = () => pipeline.translator.translator.names.deliveryReports;
  const processed = (counts: Record<string, number>, instance: string) =>
    Object.entries(counts)
      .filter(([key]) => ['delivered', 'filtered', 'failed'].some((o) => key.startsWith(`${instance}|${o}|`)))
      .reduce((sum, [, n]) => sum + n, 0);

  it('delivers identifies, then the mixed batch, creating custom fields and counting what it converted', async () => {
    const reports = (expected: number) =>
      waitForReports(
        pipeline.translator.kafka,
        reportsTopic(),
        (c) => TYPES.every((type) => processed(c, `dest-${type}`) >= expected),
        45000,
      );
    expect(await pipeline.track('/v1/batch', { batch: IDENTIFIES })).toBe(200);
    await reports(IDENTIFIES.length);
    expect(await pipeline.track('/v1/batch', { batch: EVENTS })).toBe(200);
    const { counts } = await reports(IDENTIFIES.length + EVENTS.length);
    expectOnlyWhatApisCannotTake(counts, emulators, IDENTIFIES.length + EVENTS.length, CANNOT_TAKE);

    // SendGrid: contacts with their custom fields, created by name.
    const fieldId = (name: string) => [...sendgrid().fieldDefinitions.values()].find((f) => f.name === name)?.id ?? '';
    expect(sendgrid().contactBy('email', 'ada@example.com')).toMatchObject({
      external_id: 'user-7',
      phone_number_id: '14155550123',
      fields: { first_name: 'Ada', last_name: 'Lovelace', city: 'Paris', country: 'FR', postal_code: '75001' },
      custom_fields: { [fieldId('plan')]: 'pro', [fieldId('seats')]: 12, [fieldId('tags')]: '["beta"]' },
    });
    expect(sendgrid().contactBy('email', 'bo@example.com')?.custom_fields).toEqual({ [fieldId('name')]: 'Bo Diddley' });

    // Mailchimp: members with merge fields (PLAN and SEATS created), tags, the member event.
    expect(mailchimp().member('list-1', 'ada@example.com')).toMatchObject({
      status: 'subscribed',
      merge_fields: { FNAME: 'Ada', LNAME: 'Lovelace', PHONE: '14155550123', PLAN: 'pro', SEATS: 12 },
      tags: ['beta'],
      events: [{ name: 'Plan_Upgraded', properties: { plan: 'team', seats: '20' } }],
    });
    expect(mailchimp().member('list-1', 'bo@example.com')?.merge_fields).toEqual({ NAME: 'Bo Diddley' });

    // Zendesk: users with their fields, the organization by external id, Ada a member of it.
    const ada = zendesk().userBy('external_id', 'user-7');
    expect(ada).toMatchObject({
      fields: { name: 'Ada Lovelace', email: 'ada@example.com', phone: '14155550123' },
      custom: { plan: 'pro', seats: 12, address_city: 'Paris', address_country: 'FR', address_postal_code: '75001' },
    });
    const acme = zendesk().organizationBy('acme');
    expect(acme).toMatchObject({
      fields: { name: 'Acme', domain_names: ['acme.test'] },
      custom: { industry: 'Tools', employees: 40 },
    });
    expect(zendesk().memberships).toEqual([{ user_id: ada?.id, organization_id: acme?.id }]);
    expect(zendesk().ignoredFields).toEqual([]);

    expect(counts).toMatchObject({
      'dest-sendgrid|field_converted|phone_number_id: number to string': 1,
      'dest-sendgrid|field_converted|custom_fields.tags: list to string': 1,
      'dest-mailchimp|field_converted|phone: number to string': 1,
      'dest-mailchimp|field_dropped|merge_fields.ADDRESS: Mailchimp needs street, city, state and postal code together': 1,
      'dest-mailchimp|field_converted|properties.seats: number to string': 1,
      'dest-zendesk|field_converted|phone: number to string': 1,
      'dest-zendesk|field_converted|user_fields.address: object flattened to address_…': 1,
    });
  }, 120000);

  it('answering 5xx and then 429 for a while, each API still accepts every event exactly once', async () => {
    const before = Object.fromEntries(TYPES.map((type) => [type, emulators[type]!.requests.length]));
    const identifies = Array.from({ length: 20 }, (_v, n) => ({
      type: 'identify',
      messageId: id(`burst-identify-${n}`),
      userId: `burst-${n}`,
      traits: { email: `burst-${n}@example.com`, name: `Reader ${n}`, score: n },
    }));
    const tracks = Array.from({ length: 20 }, (_v, n) => ({
      type: 'track',
      messageId: id(`burst-track-${n}`),
      userId: 'user-7',
      event: 'Article Read',
      properties: { article: `a-${n}` },
      context: web(`/articles/${n}`),
    }));
    const events = [...identifies, ...tracks];
    sendgrid().failFor(1500, { status: 503 });
    sendgrid().failNext(2, { status: 429, retryAfterSeconds: 1, body: { errors: [{ message: 'too many requests' }] } });
    mailchimp().failFor(1500, { status: 500 });
    mailchimp().failNext(4, { status: 429, retryAfterSeconds: 1, body: { title: 'Too Many Requests', status: 429 } });
    zendesk().failFor(1500, { status: 502 });
    zendesk().failNext(4, { status: 429, retryAfterSeconds: 1, body: { error: 'TooManyRequests' } });

    for (let i = 0; i < events.length; i += 10) {
      expect(await pipeline.track('/v1/batch', { batch: events.slice(i, i + 10) })).toBe(200);
    }
    // A client resending part of a batch: the same messageIds again.
    expect(await pipeline.track('/v1/batch', { batch: identifies.slice(0, 5) })).toBe(200);

    const emails = identifies.map((e) => e.traits.email).sort();
    const accepted = (type: string, match: (r: Emulator['requests'][number]) => boolean) =>
      emulators[type]!.requests.slice(before[type]).filter(
        (r) => r.status >= 200 && r.status < 300 && !r.injected && match(r),
      );
    /** Each email in the accepted SendGrid upserts, as many times as it was accepted. */
    const sendgridAccepted = () =>
      accepted('sendgrid', (r) => r.method === 'PUT')
        .flatMap((r) => (JSON.parse(r.body) as { contacts: { email?: string }[] }).contacts.map((c) => c.email ?? ''))
        .filter((e) => e.startsWith('burst-'))
        .sort();
    const mailchimpAccepted = () =>
      accepted('mailchimp', (r) => r.method === 'PUT')
        .map((r) => String((JSON.parse(r.body) as { email_address: string }).email_address))
        .filter((e) => e.startsWith('burst-'))
        .sort();
    const articles = () =>
      (mailchimp().member('list-1', 'ada@example.com')?.events ?? [])
        .map((e) => String((e['properties'] as { article?: string } | undefined)?.article ?? ''))
        .filter((a) => a.startsWith('a-'))
        .sort();
    const zendeskAccepted = () =>
      accepted('zendesk', (r) => r.path === '/api/v2/users/create_or_update')
        .map((r) => String((JSON.parse(r.body) as { user: { external_id: string } }).user.external_id))
        .filter((e) => e.startsWith('burst-'))
        .sort();
    await waitFor(() => sendgridAccepted().length >= 20, 45000, 'SendGrid contacts');
    await waitFor(
      () => mailchimpAccepted().length >= 20 && articles().length >= 20,
      45000,
      'Mailchimp members and events',
    );
    await waitFor(() => zendeskAccepted().length >= 20, 45000, 'Zendesk users');
    const { counts } = await waitForReports(
      pipeline.translator.kafka,
      reportsTopic(),
      (c) => TYPES.every((type) => (c[`dest-${type}|filtered|DUPLICATE_MESSAGE_ID`] ?? 0) >= 5),
      30000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500)); // time for any second copy to show up

    expect(sendgridAccepted()).toEqual(emails);
    expect(mailchimpAccepted()).toEqual(emails);
    expect(articles()).toEqual(tracks.map((t) => t.properties.article).sort());
    expect(zendeskAccepted()).toEqual(identifies.map((e) => e.userId).sort());
    expect(sendgrid().contactBy('email', 'burst-3@example.com')?.custom_fields).not.toEqual({});

    for (const [type, server, throttled] of [
      ['sendgrid', 503, 2],
      ['mailchimp', 500, 4],
      ['zendesk', 502, 4],
    ] as const) {
      const requests = emulators[type]!.requests.slice(before[type]);
      expect({ type, failed: requests.some((r) => r.status === server) }).toEqual({ type, failed: true });
      const injected429 = requests.filter((r) => r.status === 429 && r.injected).length;
      expect({ type, throttled: injected429 }).toEqual({ type, throttled });
      expect({ type, retried429: (counts[`dest-${type}|retried|http_429`] ?? 0) > 0 }).toEqual({
        type,
        retried429: true,
      });
      expect({ type, failed: Object.keys(counts).filter((k) => k.startsWith(`dest-${type}|failed|`)) }).toEqual({
        type,
        failed: [],
      });
    }
  }, 150000);
});
