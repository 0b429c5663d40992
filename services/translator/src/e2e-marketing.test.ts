// End to end, the ads and marketing tools (Meta Conversions API, Klaviyo, Iterable): ingestion
// (Tracking API, in-process) → Kafka → a translator per type → emulators. First identifies, then a
// mixed batch: each destination delivers every event its API can take (the rest dropped with the
// reason), what it converted or left out is counted, and the data lands as the API keeps it
// (hashed user data at Meta, profiles and a consented subscription at Klaviyo, users, events and
// a purchase at Iterable). Then the three APIs answer 5xx and then 429 for a while: every event
// still arrives exactly once (Meta event_id, Klaviyo unique_id and Iterable event id each seen
// once), and a client resending part of a batch changes nothing. Last, Klaviyo's consent on
// identify: the profile of an identify giving consent is subscribed (email and SMS), those of
// identifies without consent are imported alone.
import { createHash } from 'node:crypto';
import type { Emulator, IterableEmulator, KlaviyoEmulator, MetaEmulator } from '@manifold/emulators';
import { uniqueName, waitFor } from '@manifold/testing';
import type { Pipeline } from './test-support/e2e';
import { startEmulatedPipeline } from './test-support/emulated-pipeline';
import { expectOnlyWhatApisCannotTake } from './test-support/delivery-expectations';
import { waitForReports } from './test-support/harness';

const TYPES = ['meta-conversions-api', 'klaviyo', 'iterable'] as const;
const run = uniqueName('marketing');
const id = (name: string) => `${run}-${name}`;
const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const web = (path: string) => ({
  ip: '203.0.113.7',
  userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari/605.1.15',
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
      createdAt: '2026-01-02T03:04:05.000Z',
      address: { city: 'Paris', country: 'FR', postalCode: '75001' },
    },
    context: web('/account'),
  },
  {
    type: 'identify',
    messageId: id('identify-bo'),
    userId: 'user-9',
    traits: { email: 'bo@example.com', phone: '+44 7700 900123' },
    context: { library: { name: 'analytics-android', version: '4.11.3' } },
  },
];

const EVENTS = [
  {
    type: 'track',
    messageId: id('upgraded'),
    userId: 'user-7',
    event: 'Plan Upgraded',
    properties: { revenue: '24', currency: 'EUR', plan: 'team' },
    context: web('/billing'),
  },
  {
    type: 'track',
    messageId: id('order'),
    userId: 'user-7',
    event: 'Order Completed',
    properties: {
      order_id: 'o-7',
      revenue: '25.00',
      currency: 'eur',
      products: [
        { product_id: 'mug', name: 'Mug', price: '12.50', quantity: 2 },
        { sku: 'gift', name: 'Gift wrap' },
      ],
    },
    context: web('/checkout'),
  },
  {
    type: 'track',
    messageId: id('subscribed'),
    userId: 'user-7',
    event: 'User Subscribed',
    properties: { source: 'footer' },
    context: web('/newsletter'),
  },
  {
    type: 'page',
    messageId: id('page'),
    userId: 'user-7',
    name: 'Pricing',
    properties: { path: '/pricing', title: 'Pricing' },
    context: web('/pricing'),
  },
  {
    type: 'track',
    messageId: id('installed'),
    userId: 'user-9',
    event: 'Application Installed',
    properties: { version: '2.3.0' },
    context: { library: { name: 'analytics-android', version: '4.11.3' }, os: { name: 'Android', version: '14' } },
  },
  { type: 'screen', messageId: id('screen'), userId: 'user-9', name: 'Feed', context: { os: { name: 'Android' } } },
  { type: 'group', messageId: id('group'), userId: 'user-7', groupId: 'acme', traits: { name: 'Acme' } },
  { type: 'alias', messageId: id('alias'), userId: 'user-9', previousId: 'anon-9' },
];

/** What each API cannot take at all: the only events it drops (with the reason). */
const CANNOT_TAKE: Record<string, Record<string, number>> = {
  // identifies, screen, group, alias; an app event without page URL while the action source is website.
  'meta-conversions-api': { UNSUPPORTED_EVENT_TYPE: 5, INVALID_PAYLOAD: 1 },
  klaviyo: { UNSUPPORTED_EVENT_TYPE: 4 },
  iterable: { UNSUPPORTED_EVENT_TYPE: 4 },
};

describe('end to end: ads and marketing tools get everything their APIs take, once', () => {
  let emulators: Record<string, Emulator> = {};
  let pipeline: Pipeline;
  let close = async (): Promise<void> => {};

  beforeAll(async () => {
    ({ pipeline, emulators, close } = await startEmulatedPipeline(TYPES));
  }, 60000);

  afterAll(() => close());

  const meta = () => emulators['meta-conversions-api'] as MetaEmulator;
  const klaviyo = () => emulators['klaviyo'] as KlaviyoEmulator;
  const iterable = () => emulators['iterable'] as IterableEmulator;
  const reportsTopic = () => pipeline.translator.translator.names.deliveryReports;
  const processed = (counts: Record<string, number>, instance: string) =>
    Object.entries(counts)
      .filter(([key]) => ['delivered', 'filtered', 'failed'].some((o) => key.startsWith(`${instance}|${o}|`)))
      .reduce((sum, [, n]) => sum + n, 0);

  it('delivers identifies, then the mixed batch, converting or leaving out single fields with notices', async () => {
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

    const total = IDENTIFIES.length + EVENTS.length;
    expectOnlyWhatApisCannotTake(counts, emulators, total, CANNOT_TAKE);

    // Meta: the order as a Purchase with hashed email and the messageId as event_id; the page.
    const purchase = meta().events.find((e) => e.event['event_name'] === 'Purchase')?.event;
    expect(purchase).toMatchObject({
      event_id: id('order'),
      action_source: 'website',
      event_source_url: 'https://shop.example.com/checkout',
      user_data: { em: sha('ada@example.com'), external_id: sha('user-7'), client_ip_address: '203.0.113.7' },
      custom_data: {
        value: 25,
        currency: 'EUR',
        contents: [
          { id: 'mug', quantity: 2, item_price: 12.5 },
          { id: 'gift', quantity: 1 },
        ],
      },
    });
    expect(
      meta()
        .events.map((e) => e.event['event_name'])
        .sort(),
    ).toEqual(['PageView', 'Plan Upgraded', 'Purchase', 'User Subscribed']);

    // Klaviyo: one profile per person, the order and its products, the consented subscription.
    const ada = klaviyo().profileBy({ email: 'ada@example.com' });
    expect(ada?.attributes).toMatchObject({
      external_id: 'user-7',
      first_name: 'Ada',
      location: { city: 'Paris', zip: '75001', country: 'FR' },
      properties: { plan: 'pro' },
    });
    expect(ada?.subscriptions).toEqual([{ channel: 'email', listId: '' }]);
    expect(klaviyo().profileBy({ email: 'bo@example.com' })?.attributes['phone_number']).toBe('+447700900123');
    expect(
      klaviyo()
        .events.map((e) => e.metric)
        .sort(),
    ).toEqual([
      'Application Installed',
      'Order Completed',
      'Ordered Product',
      'Ordered Product',
      'Plan Upgraded',
      'User Subscribed',
    ]);

    // Iterable: the traits as data fields (the date typed, the phone as text), the purchase.
    expect(iterable().users.get('userId:user-7')?.dataFields).toMatchObject({
      firstName: 'Ada',
      phoneNumber: '14155550123',
      createdAt: '2026-01-02 03:04:05 +00:00',
    });
    expect(
      iterable().purchases.map((p) => [p.body['id'], p.body['total'], (p.body['items'] as unknown[]).length]),
    ).toEqual([['o-7', 25, 1]]);
    expect(iterable().events.get(id('upgraded'))).toMatchObject({ eventName: 'Plan Upgraded', userId: 'user-7' });

    expect(counts).toMatchObject({
      'dest-meta-conversions-api|field_converted|custom_data.value: string to number': 2,
      'dest-meta-conversions-api|field_converted|custom_data.contents[].item_price: string to number': 1,
      'dest-klaviyo|field_converted|phone: number to string': 1,
      'dest-klaviyo|field_dropped|phone_number: no country code (+…) and no default country code setting': 1,
      'dest-klaviyo|field_converted|products[].price: string to number': 1,
      'dest-iterable|field_converted|phoneNumber: number to string': 1,
      'dest-iterable|field_converted|total: string to number': 1,
      'dest-iterable|field_dropped|items[]: no price': 1,
    });
  }, 120000);

  it('answering 5xx and then 429 for a while, each API still gets every event exactly once', async () => {
    const before = Object.fromEntries(TYPES.map((type) => [type, emulators[type]!.requests.length]));
    const events = Array.from({ length: 30 }, (_v, n) => ({
      type: 'track',
      messageId: id(`burst-${n}`),
      userId: `user-${n % 7}`,
      event: 'Article Read',
      properties: { article: `a-${n}`, words: 100 + n },
      context: web(`/articles/${n}`),
    }));
    meta().failFor(1500, { status: 500 });
    meta().failNext(4, { status: 429, retryAfterSeconds: 1 });
    klaviyo().failFor(1500, { status: 503 });
    klaviyo().failNext(4, { status: 429, retryAfterSeconds: 1, body: { errors: [{ code: 'throttled' }] } });
    iterable().failFor(1500, { status: 502 });
    iterable().failNext(2, { status: 429, retryAfterSeconds: 1, body: { code: 'RateLimitExceeded' } });

    for (let i = 0; i < events.length; i += 10) {
      expect(await pipeline.track('/v1/batch', { batch: events.slice(i, i + 10) })).toBe(200);
    }
    // A client resending part of a batch: the same messageIds again.
    expect(await pipeline.track('/v1/batch', { batch: events.slice(0, 5) })).toBe(200);

    const ids = events.map((e) => e.messageId).sort();
    const burst = (values: unknown[]) =>
      values
        .filter((v) => String(v).includes('-burst-'))
        .map(String)
        .sort();
    await waitFor(() => burst(meta().events.map((e) => e.event['event_id'])).length >= 30, 45000, 'Meta events');
    await waitFor(() => burst(klaviyo().events.map((e) => e.attributes['unique_id'])).length >= 30, 45000, 'Klaviyo');
    await waitFor(() => burst([...iterable().events.keys()]).length >= 30, 45000, 'Iterable events');
    const { counts } = await waitForReports(
      pipeline.translator.kafka,
      reportsTopic(),
      (c) => TYPES.every((type) => (c[`dest-${type}|filtered|DUPLICATE_MESSAGE_ID`] ?? 0) >= 5),
      30000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500)); // time for any second copy to show up

    // Accepted once each: no second copy reached any API (not even one it would have deduplicated).
    expect(burst(meta().events.map((e) => e.event['event_id']))).toEqual(ids);
    // Meta took them in batches: some request carried several events in `data`.
    const metaBatch = meta()
      .requests.slice(before['meta-conversions-api'])
      .filter((r) => r.status === 200)
      .map((r) => (JSON.parse(r.body) as { data: unknown[] }).data.length);
    expect(Math.max(...metaBatch)).toBeGreaterThan(1);
    expect(metaBatch.reduce((sum, n) => sum + n, 0)).toBe(30);
    expect(burst(klaviyo().events.map((e) => e.attributes['unique_id']))).toEqual(ids);
    expect(klaviyo().duplicatesIgnored).toBe(0);
    expect(burst([...iterable().events.keys()])).toEqual(ids);
    expect(iterable().overwrites).toBe(0);

    for (const [type, server, throttled] of [
      ['meta-conversions-api', 500, 4],
      ['klaviyo', 503, 4],
      ['iterable', 502, 2],
    ] as const) {
      const requests = emulators[type]!.requests.slice(before[type]);
      expect({ type, failed: requests.some((r) => r.status === server) }).toEqual({ type, failed: true });
      // The injected ones (an API's own rate limit may add more).
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
  }, 120000);

  it('Meta: an event it refuses inside a batch is dead-lettered alone; the others of the request arrive', async () => {
    const page = (n: number, timestamp?: string) => ({
      type: 'track',
      messageId: id(`late-batch-${n}`),
      userId: 'user-3',
      event: 'Coupon Applied',
      properties: { coupon: `c-${n}` },
      context: web('/cart'),
      ...(timestamp ? { timestamp } : {}),
    });
    // Ten days old: Meta refuses it (more than 7 days) and, with it, the request it is in.
    const old = new Date(Date.now() - 10 * 24 * 3600 * 1000).toISOString();
    const batch = [page(0), page(1), page(2, old), page(3), page(4)];
    expect(await pipeline.track('/v1/batch', { batch })).toBe(200);
    const late = (values: unknown[]) =>
      values
        .map(String)
        .filter((v) => v.includes('-late-batch-'))
        .sort();
    await waitFor(() => late(meta().events.map((e) => e.event['event_id'])).length >= 4, 45000, 'the four events');
    const { counts } = await waitForReports(
      pipeline.translator.kafka,
      reportsTopic(),
      (c) => (c['dest-meta-conversions-api|failed|http_400'] ?? 0) >= 1,
      45000,
    );
    expect(counts['dest-meta-conversions-api|failed|http_400']).toBe(1);
    expect(late(meta().events.map((e) => e.event['event_id']))).toEqual(
      [0, 1, 3, 4].map((n) => id(`late-batch-${n}`)).sort(),
    );
    // Meta named it by its place in data (2804003, too old): no other event was refused with it.
    const refused = meta().requests.filter((r) => r.status === 400 && r.body.includes(id('late-batch-2')));
    expect(refused.length).toBeGreaterThanOrEqual(1);
    // Published together under one key, the five were read together and shared a request.
    expect((JSON.parse(refused[0]!.body) as { data: unknown[] }).data.length).toBeGreaterThan(1);
    expect(refused.every((r) => r.responseBody.includes('2804003'))).toBe(true);
  }, 90000);

  it('Klaviyo: an identify giving consent subscribes its profile; identifies without consent import the profile alone', async () => {
    const before = klaviyo().requests.length;
    const person = (name: string) => `${run}-${name}@example.com`;
    const identify = (name: string, traits: Record<string, unknown>) => ({
      type: 'identify',
      messageId: id(`consent-${name}`),
      userId: `user-${name}`,
      traits: { email: person(name), ...traits },
      context: { library: { name: 'analytics-node', version: '2.2.0' } },
    });
    const batch = [
      // Consent for both channels, with the phone SMS needs.
      identify('cy', { phone: '+447700900456', subscribe: true, consent: ['email', 'sms'] }),
      // No consent given: nothing to subscribe.
      identify('di', { plan: 'free' }),
      // Consent refused: not a subscription (nor an unsubscription).
      identify('ed', { subscribe: false, consent: 'email' }),
    ];
    expect(await pipeline.track('/v1/batch', { batch })).toBe(200);
    const profile = (name: string) => klaviyo().profileBy({ email: person(name) });
    await waitFor(() => ['cy', 'di', 'ed'].every((name) => profile(name) !== undefined), 45000, 'the three profiles');
    await waitFor(() => (profile('cy')?.subscriptions.length ?? 0) >= 2, 45000, 'the consented subscriptions');
    // Everything Klaviyo was sent in this file: the first batches, the burst and its 5 resent, Meta's 5, these 3.
    const { counts } = await waitForReports(
      pipeline.translator.kafka,
      reportsTopic(),
      (c) => processed(c, 'dest-klaviyo') >= IDENTIFIES.length + EVENTS.length + 30 + 5 + 5 + 3,
      45000,
    );
    expect(Object.keys(counts).filter((k) => k.startsWith('dest-klaviyo|failed|'))).toEqual([]);

    // The emulator holds the subscriptions: email and SMS marketing at account level (no list set).
    expect(profile('cy')?.subscriptions).toEqual([
      { channel: 'email', listId: '' },
      { channel: 'sms', listId: '' },
    ]);
    expect(profile('cy')?.attributes['phone_number']).toBe('+447700900456');
    expect(profile('di')?.subscriptions).toEqual([]);
    expect(profile('ed')?.subscriptions).toEqual([]);
    // One subscription job, naming cy alone; the other two were profile imports only.
    const jobs = klaviyo()
      .requests.slice(before)
      .filter((r) => r.path === '/api/profile-subscription-bulk-create-jobs');
    expect(jobs.map((r) => r.status)).toEqual([202]);
    expect(jobs[0]?.body).toContain(person('cy'));
    expect(jobs.some((r) => r.body.includes(person('di')) || r.body.includes(person('ed')))).toBe(false);
  }, 90000);
});
