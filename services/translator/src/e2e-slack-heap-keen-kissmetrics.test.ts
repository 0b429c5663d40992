// End to end, Slack, Heap, Keen and Kissmetrics: ingestion (Tracking API, in-process) → Kafka → a
// translator per destination type → the emulators. First every call type with the values these
// APIs need converted (booleans, nested objects, names with dots, text revenue, a message that
// would mention a whole Slack channel); then a phase where every API answers 503 and then 429
// for a while, after which each event is there exactly once.
import type { Emulator, HeapEmulator, KeenEmulator, KissmetricsEmulator, SlackEmulator } from '@manifold/emulators';
import { uniqueName } from '@manifold/testing';
import type { Pipeline } from './test-support/e2e';
import { startEmulatedPipeline } from './test-support/emulated-pipeline';
import { countsUnder, waitFor, waitForReports } from './test-support/harness';

const TYPES = ['slack', 'heap', 'keen', 'kissmetrics'] as const;
const run = uniqueName('dest-a');
const id = (name: string) => `${run}-${name}`;
const context = (path: string) => ({
  ip: '203.0.113.7',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  library: { name: 'analytics.js', version: 'next-1.84.1' },
  page: { url: `https://shop.example.com${path}`, path, referrer: 'https://www.google.com/' },
});

const IDENTIFY = {
  type: 'identify',
  messageId: id('identify'),
  userId: 'user-7',
  anonymousId: 'anon-7',
  traits: {
    id: 'user-7',
    email: 'ada@example.com',
    plan: 'pro',
    vip: true,
    address: { city: 'Paris' },
    created_at: '2026-01-02T03:04:05.000Z',
  },
  context: context('/account'),
};

const EVENTS = [
  {
    type: 'track',
    messageId: id('order'),
    userId: 'user-7',
    event: 'Order Completed',
    properties: {
      order_id: 'o-7',
      revenue: '25.00',
      currency: 'EUR',
      'coupon.code': 'SPRING',
      note: '<!channel> big order',
      products: [{ sku: 'mug', price: 12.5, quantity: 2 }],
    },
    context: context('/checkout'),
  },
  {
    type: 'track',
    messageId: id('signed-up'),
    anonymousId: 'anon-9',
    event: 'Signed Up',
    properties: { plan: 'free', trial: true },
    context: context('/signup'),
  },
  {
    type: 'track',
    messageId: id('weird'),
    userId: 'user-7',
    event: '$Weird Name',
    properties: { a: { b: 1 } },
    context: context('/x'),
  },
  {
    type: 'page',
    messageId: id('page'),
    userId: 'user-7',
    name: 'Pricing',
    category: 'Docs',
    properties: { url: 'https://shop.example.com/pricing' },
    context: context('/pricing'),
  },
  { type: 'screen', messageId: id('screen'), userId: 'user-9', name: 'Feed', properties: { tab: 'home' } },
  {
    type: 'group',
    messageId: id('group'),
    userId: 'user-7',
    groupId: 'acme',
    traits: { name: 'Acme', employees: '50' },
    context: context('/team'),
  },
  { type: 'alias', messageId: id('alias'), userId: 'user-9', previousId: 'anon-9' },
];

/** What each API cannot take: the only events it drops. */
const CANNOT_TAKE: Record<(typeof TYPES)[number], Record<string, number>> = {
  slack: { NO_MATCHING_MAPPING: 4 }, // page, screen, group, alias have no preset message
  heap: { UNSUPPORTED_EVENT_TYPE: 1 }, // alias
  keen: { UNSUPPORTED_EVENT_TYPE: 2 }, // group, alias (the identify went first, also unsupported)
  kissmetrics: {},
};

/** Events each instance delivers in the first phase: all but what its API cannot take. */
const firstPhaseDelivered = (type: (typeof TYPES)[number]) =>
  1 + EVENTS.length - Object.values(CANNOT_TAKE[type]).reduce((sum, n) => sum + n, 0) - (type === 'keen' ? 1 : 0);

const sumOf = (counts: Record<string, number>, prefix: string) =>
  Object.values(countsUnder(counts, prefix)).reduce((sum, n) => sum + n, 0);

describe('end to end: Slack, Heap, Keen and Kissmetrics', () => {
  let emulators: Record<string, Emulator> = {};
  let pipeline: Pipeline;
  let close = async () => {};

  beforeAll(async () => {
    ({ pipeline, emulators, close } = await startEmulatedPipeline(TYPES));
  }, 60000);

  afterAll(() => close());

  const reportsTopic = () => pipeline.translator.translator.names.deliveryReports;
  const processed = (counts: Record<string, number>, type: string) =>
    ['delivered', 'filtered', 'failed'].reduce((sum, o) => sum + sumOf(counts, `dest-${type}|${o}|`), 0);

  it('delivers every call each API takes, converting or leaving out single fields with notices', async () => {
    expect(await pipeline.track('/v1/batch', { batch: [IDENTIFY] })).toBe(200);
    const reports = (n: number) =>
      waitForReports(pipeline.translator.kafka, reportsTopic(), (c) => TYPES.every((t) => processed(c, t) >= n), 45000);
    await reports(1);
    expect(await pipeline.track('/v1/batch', { batch: EVENTS })).toBe(200);
    const { counts } = await reports(1 + EVENTS.length);

    for (const type of TYPES) {
      const instance = `dest-${type}`;
      const drops = { ...CANNOT_TAKE[type] };
      if (type === 'keen') drops['UNSUPPORTED_EVENT_TYPE'] = (drops['UNSUPPORTED_EVENT_TYPE'] ?? 0) + 1;
      expect({ type, delivered: counts[`${instance}|delivered|`] ?? 0 }).toEqual({
        type,
        delivered: firstPhaseDelivered(type),
      });
      expect({ type, failed: sumOf(counts, `${instance}|failed|`) + sumOf(counts, `${instance}|retried|`) }).toEqual({
        type,
        failed: 0,
      });
      const filtered = countsUnder(counts, `${instance}|filtered|`);
      expect({ type, filtered }).toEqual({ type, filtered: drops });
      const refused = emulators[type]!.requests.filter((r) => r.status < 200 || r.status > 299);
      expect({ type, refused }).toEqual({ type, refused: [] });
    }

    // Slack: one message per track and identify; a value cannot mention the whole channel.
    const slack = emulators['slack'] as SlackEmulator;
    expect(slack.messages.map((m) => m.text.split('\n')[0]).sort()).toEqual(
      [
        '*user-7* did *$Weird Name*',
        '*user-7* did *Order Completed*',
        'An anonymous visitor (anon-9) did *Signed Up*',
        'Identified *user-7*',
      ].sort(),
    );
    expect(slack.messages.find((m) => m.text.includes('Order Completed'))?.text).toContain(
      '• note: &lt;!channel&gt; big order',
    );

    // Heap: user and account properties, events with their idempotency keys.
    const heap = emulators['heap'] as HeapEmulator;
    expect(heap.users.get('user-7')).toMatchObject({
      email: 'ada@example.com',
      vip: 'true',
      'address.city': 'Paris',
      anonymous_id: 'anon-7',
    });
    expect(heap.users.get('user-7')).not.toHaveProperty('id');
    expect(heap.accounts.get('acme')).toEqual({ name: 'Acme', employees: '50' });
    expect(heap.events.map((e) => [e.event, e.identity]).sort()).toEqual(
      [
        ['$Weird Name', 'user-7'],
        ['Order Completed', 'user-7'],
        ['Page viewed', 'user-7'],
        ['Screen viewed', 'user-9'],
        ['Signed Up', 'anon-9'],
      ].sort(),
    );

    // Keen: collections per event name (two for the page), names Keen refuses made valid.
    const keen = emulators['keen'] as KeenEmulator;
    expect(keen.events.map((e) => e.collection).sort()).toEqual(
      [
        'Order Completed',
        'Signed Up',
        'Weird Name',
        'Viewed Docs Pricing Page',
        'Viewed Docs Page',
        'Viewed Feed Screen',
      ].sort(),
    );
    expect(keen.collection('Order Completed')[0]).toMatchObject({
      coupon_code: 'SPRING',
      revenue: '25.00',
      userId: 'user-7',
      keen: { uniqueness_token: id('order') },
    });

    // Kissmetrics: every call valid (it would answer 200 anyway); one person per alias.
    const km = emulators['kissmetrics'] as KissmetricsEmulator;
    expect(km.invalidCalls()).toEqual([]);
    expect(km.person('anon-7')).toMatchObject({ email: 'ada@example.com', vip: 'true', 'address.city': 'Paris' });
    expect(
      km
        .eventsOf('anon-9')
        .map((e) => e.name)
        .sort(),
    ).toEqual(['Signed Up', 'Viewed Feed Screen']);
    expect(km.eventsOf('user-7').find((e) => e.name === 'Order Completed')?.properties).toMatchObject({
      'billing amount': '25',
      'coupon.code': 'SPRING',
    });
    expect(km.person('user-7')).toMatchObject({ sku: 'mug', 'group - id': 'acme', 'group - employees': '50' });

    // What was converted or left out is counted per instance and reason.
    expect(counts).toMatchObject({
      'dest-heap|field_converted|properties.vip: boolean to string': 1,
      'dest-heap|field_dropped|properties.id: Heap reserves "id" (the identity is the user id)': 1,
      "dest-keen|field_converted|collection: event name changed to fit Keen's collection-name rules": 1,
      'dest-keen|field_converted|properties.coupon.code: property name rewritten (. and a leading $ to _)': 1,
      'dest-kissmetrics|field_converted|revenue: string to number': 1,
      'dest-kissmetrics|field_converted|traits.created_at: date-time sent as Unix seconds': 1,
    });
  }, 120000);

  it('after a phase of 503s then 429s, every event is delivered exactly once', async () => {
    for (const type of TYPES) {
      emulators[type]!.failFor(1500, { status: 503 });
      emulators[type]!.failNext(3, { status: 429, retryAfterSeconds: 1 });
    }
    const names = Array.from({ length: 12 }, (_, n) => `Retry ${n}`);
    const events = names.map((event, n) => ({
      type: 'track',
      messageId: id(`retry-${n}`),
      userId: `user-${n % 3}`,
      event,
      properties: { n },
    }));
    for (let i = 0; i < events.length; i += 4) {
      expect(await pipeline.track('/v1/batch', { batch: events.slice(i, i + 4) })).toBe(200);
    }
    const { counts } = await waitForReports(
      pipeline.translator.kafka,
      reportsTopic(),
      (c) => TYPES.every((t) => (c[`dest-${t}|delivered|`] ?? 0) >= firstPhaseDelivered(t) + events.length),
      60000,
    );
    for (const type of TYPES) {
      const instance = `dest-${type}`;
      const emulator = emulators[type]!;
      expect({
        type,
        delivered: (counts[`${instance}|delivered|`] ?? 0) - firstPhaseDelivered(type),
      }).toEqual({ type, delivered: events.length });
      expect({ type, failed: sumOf(counts, `${instance}|failed|`) }).toEqual({ type, failed: 0 });
      expect({ type, retried: sumOf(counts, `${instance}|retried|`) > 0 }).toEqual({ type, retried: true });
      expect({ type, saw503: emulator.requests.some((r) => r.status === 503) }).toEqual({ type, saw503: true });
      expect({ type, saw429: emulator.requests.filter((r) => r.status === 429).length }).toEqual({ type, saw429: 3 });
    }
    // Time for a second copy of anything to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const slack = emulators['slack'] as SlackEmulator;
    const heap = emulators['heap'] as HeapEmulator;
    const keen = emulators['keen'] as KeenEmulator;
    const km = emulators['kissmetrics'] as KissmetricsEmulator;
    const perName = (values: string[]) => names.map((name) => values.filter((v) => v === name).length);
    const once = names.map(() => 1);
    expect(perName(slack.messages.map((m) => /did \*(Retry \d+)\*/.exec(m.text)?.[1] ?? ''))).toEqual(once);
    expect(perName(heap.events.map((e) => e.event))).toEqual(once);
    expect(heap.duplicatesIgnored).toBe(0);
    expect(perName(keen.events.map((e) => e.collection))).toEqual(once);
    expect(keen.duplicatesIgnored).toBe(0);
    expect(perName(km.calls.filter((c) => c.endpoint === '/e').map((c) => c.params['_n'] ?? ''))).toEqual(once);
    await waitFor(() => km.invalidCalls().length === 0, 1000, 'no invalid Kissmetrics call');
  }, 120000);
});
