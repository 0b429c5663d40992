// End to end, faithful delivery to the engagement tools (Customer.io, Intercom, Braze): ingestion
// (Tracking API, in-process) → Kafka → translator → emulators, with the events that used to lose
// data there: a numeric phone, prices and revenue as text, a company in the traits, group traits,
// mobile lifecycle events from devices of type "mobile" and "web", a page from analytics.js. Each
// destination delivers every event its API can take (the rest is dropped with a reason) and counts
// what it converted or left out. Identifies go first, as apps send them: Intercom takes events only
// for contacts it knows.
import type { BrazeEmulator, CustomerioEmulator, Emulator, IntercomEmulator } from '@manifold/emulators';
import { uniqueName } from '@manifold/testing';
import type { Pipeline } from './test-support/e2e';
import { startEmulatedPipeline } from './test-support/emulated-pipeline';
import { expectOnlyWhatApisCannotTake } from './test-support/delivery-expectations';
import { waitForReports } from './test-support/harness';

const TYPES = ['customerio', 'intercom', 'braze'] as const;
const run = uniqueName('engagement');
const id = (name: string) => `${run}-${name}`;
const web = (path: string) => ({
  ip: '203.0.113.7',
  userAgent:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  library: { name: 'analytics.js', version: 'next-1.84.1' },
  page: { url: `https://shop.example.com${path}`, path, referrer: 'https://www.google.com/', title: 'Shop' },
  traits: { email: 'ada@example.com' },
});
const phone = (device: Record<string, unknown>) => ({
  library: { name: 'analytics-android', version: '4.11.3' },
  app: { name: 'Shop', version: '2.3.0', build: '230' },
  os: { name: 'Android', version: '14' },
  locale: 'de-DE',
  device: { model: 'Pixel 8', manufacturer: 'Google', ...device },
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
      address: { city: 'Paris', country: 'FR' },
      company: { id: 'acme', name: 'Acme', employee_count: '50' },
    },
    context: web('/account'),
  },
  {
    type: 'identify',
    messageId: id('identify-bo'),
    userId: 'user-9',
    anonymousId: 'anon-9',
    traits: { email: 'bo@example.com', name: 'Bo' },
    context: phone({ type: 'android' }),
  },
];

const EVENTS = [
  {
    type: 'track',
    messageId: id('upgraded'),
    userId: 'user-7',
    event: 'Plan Upgraded',
    properties: { revenue: '24', plan: 'team' },
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
        { product_id: 'mug', name: 'Mug', price: '12.50', quantity: '2' },
        { sku: 'gift', name: 'Gift wrap' },
      ],
    },
    context: web('/checkout'),
  },
  {
    type: 'page',
    messageId: id('page'),
    userId: 'user-7',
    anonymousId: 'anon-7',
    name: 'Pricing',
    properties: { path: '/pricing', url: 'https://shop.example.com/pricing', title: 'Pricing' },
    context: web('/pricing'),
  },
  {
    type: 'group',
    messageId: id('group'),
    userId: 'user-7',
    groupId: 'acme',
    traits: { name: 'Acme', employees: '50', industry: 'Retail', tier: 'gold' },
    context: web('/team'),
  },
  {
    type: 'track',
    messageId: id('installed'),
    userId: 'user-9',
    event: 'Application Installed',
    properties: { version: '2.3.0' },
    context: phone({ type: 'mobile', token: 'fcm-token-9' }),
  },
  {
    type: 'track',
    messageId: id('uninstalled'),
    userId: 'user-9',
    event: 'Application Uninstalled',
    properties: {},
    context: phone({ type: 'web', token: 'fcm-token-9' }),
  },
  {
    type: 'screen',
    messageId: id('screen'),
    userId: 'user-9',
    name: 'Feed',
    properties: { tab: 'home' },
    context: phone({ type: 'android' }),
  },
  {
    type: 'alias',
    messageId: id('alias'),
    userId: 'user-9',
    previousId: 'anon-9',
    context: phone({ type: 'android' }),
  },
];

/** What each destination's API cannot take at all: the only events it drops. */
const CANNOT_TAKE: Record<string, Record<string, number>> = {
  customerio: {},
  intercom: { UNSUPPORTED_EVENT_TYPE: 3 },
  braze: { UNSUPPORTED_EVENT_TYPE: 3 },
};

describe('end to end: engagement tools get everything their APIs take', () => {
  let emulators: Record<string, Emulator> = {};
  let pipeline: Pipeline;
  let close = async () => {};

  beforeAll(async () => {
    ({ pipeline, emulators, close } = await startEmulatedPipeline(TYPES));
  }, 60000);

  afterAll(() => close());

  it('delivers identifies, then the mixed batch, converting or leaving out single fields with notices', async () => {
    const processed = (counts: Record<string, number>, instance: string) =>
      Object.entries(counts)
        .filter(([key]) => ['delivered', 'filtered', 'failed'].some((o) => key.startsWith(`${instance}|${o}|`)))
        .reduce((sum, [, n]) => sum + n, 0);
    const reports = (expected: number) =>
      waitForReports(
        pipeline.translator.kafka,
        pipeline.translator.translator.names.deliveryReports,
        (c) => TYPES.every((type) => processed(c, `dest-${type}`) >= expected),
        45000,
      );
    expect(await pipeline.track('/v1/batch', { batch: IDENTIFIES })).toBe(200);
    await reports(IDENTIFIES.length);
    expect(await pipeline.track('/v1/batch', { batch: EVENTS })).toBe(200);
    const { counts } = await reports(IDENTIFIES.length + EVENTS.length);

    const total = IDENTIFIES.length + EVENTS.length;
    expectOnlyWhatApisCannotTake(counts, emulators, total, CANNOT_TAKE);

    // Intercom: the numeric phone as its digits, traits as custom attributes, the company of the
    // traits and of the group with its custom attribute, revenue "24" as 2400 cents.
    const ic = emulators['intercom'] as IntercomEmulator;
    const ada = ic.contactByExternalId('user-7');
    expect(ada).toMatchObject({
      phone: '14155550123',
      name: 'Ada Lovelace',
      custom_attributes: { plan: 'pro', address_city: 'Paris', address_country: 'FR' },
    });
    expect(ic.companies.get('acme')).toMatchObject({ name: 'Acme', size: 50, custom_attributes: { tier: 'gold' } });
    expect(ada?.companies).toEqual([ic.companies.get('acme')?.id]);
    expect(ic.events.find((e) => e.event_name === 'Plan Upgraded')?.metadata).toEqual({
      price: { amount: 2400, currency: 'USD' },
      plan: 'team',
    });

    // Braze: the phone as text, the priced product as a purchase of 12.5, the other left out.
    const bz = emulators['braze'] as BrazeEmulator;
    expect(bz.users.get('external_id:user-7')?.attributes).toMatchObject({ phone: '14155550123', first_name: 'Ada' });
    expect(bz.purchases.map((p) => [p.object['product_id'], p.object['price'], p.object['quantity']])).toEqual([
      ['mug', 12.5, 2],
    ]);

    // Customer.io: the device of type "mobile" added as Android, and deleted though its type is
    // "web" (the two may be sent concurrently, so the final state is not asserted); both lifecycle
    // events tracked; the group's traits on the object.
    const cio = emulators['customerio'] as CustomerioEmulator;
    expect(cio.events.map((e) => e.name)).toEqual(
      expect.arrayContaining(['Application Installed', 'Application Uninstalled', 'https://shop.example.com/pricing']),
    );
    const devices = cio.entities.filter((e) => String(e['action']).endsWith('_device'));
    expect(devices.map((e) => [e['action'], e['device']]).sort()).toEqual([
      [
        'add_device',
        {
          token: 'fcm-token-9',
          platform: 'android',
          last_used: expect.any(Number),
          attributes: {
            device_os: '14',
            device_model: 'Pixel 8',
            device_manufacturer: 'Google',
            app_version: '2.3.0',
            device_locale: 'de-DE',
          },
        },
      ],
      ['delete_device', { token: 'fcm-token-9' }],
    ]);
    expect(cio.objects.get('1:acme')?.attributes).toMatchObject({ name: 'Acme', industry: 'Retail', tier: 'gold' });

    // What was converted or left out is counted per instance and reason.
    expect(counts).toMatchObject({
      'dest-intercom|field_converted|phone: number to string': 1,
      'dest-intercom|field_converted|revenue: string to number': 2,
      'dest-braze|field_converted|phone: number to string': 1,
      'dest-braze|field_converted|products[].price: string to number': 1,
      'dest-braze|field_dropped|products[]: not a purchase Braze takes: no price': 1,
    });
  }, 120000);
});
