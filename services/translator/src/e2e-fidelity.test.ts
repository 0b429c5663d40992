// End to end, faithful delivery: a mixed batch of realistic events (nested and list properties,
// numeric strings, numbers as phones, a desktop browser and an Android phone, app lifecycle events
// with unusual device types) goes through ingestion (Tracking API, in-process), Kafka, the
// translator and the emulators of Webhook, Mixpanel, Amplitude, GA4 and PostHog. No event the real
// API would take is dropped; what a destination had to convert or leave out is counted as a notice.
import type {
  AmplitudeEmulator,
  Emulator,
  Ga4Emulator,
  MixpanelEmulator,
  PosthogEmulator,
  WebhookEmulator,
} from '@manifold/emulators';
import type { SpecEvent } from '@manifold/events';
import { uniqueName } from '@manifold/testing';
import type { Pipeline } from './test-support/e2e';
import { startEmulatedPipeline } from './test-support/emulated-pipeline';
import { waitForReports } from './test-support/harness';

const DESKTOP =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const ANDROID =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36';

const TYPES = ['webhook', 'mixpanel', 'amplitude', 'google-analytics-4', 'posthog'] as const;

const run = uniqueName('fidelity');
const id = (name: string) => `${run}-${name}`;
const web = (userAgent: string, path: string) => ({
  ip: '203.0.113.7',
  locale: 'en-US',
  timezone: 'Europe/Paris',
  userAgent,
  library: { name: 'analytics.js', version: 'next-1.84.1' },
  page: { url: `https://shop.example.com${path}`, path, referrer: 'https://www.google.com/', title: 'Shop' },
  campaign: { source: 'newsletter', medium: 'email', name: 'spring' },
});
const app = (device: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  ip: '198.51.100.4',
  locale: 'de-DE',
  userAgent: 'okhttp/4.12.0',
  library: { name: 'analytics-android', version: '4.11.3' },
  app: { name: 'Shop', version: '2.3.0', build: '230', namespace: 'com.example.shop' },
  os: { name: 'Android', version: '14' },
  device,
  ...extra,
});

/** Events as SDKs send them, with the shapes destinations used to choke on. */
const BATCH = [
  {
    type: 'identify',
    messageId: id('identify'),
    userId: 'user-7',
    anonymousId: 'anon-7',
    traits: {
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      phone: 14155550123,
      plan: 'pro',
      logins: '12',
      company: { name: 'Acme', employees: '50' },
      tags: ['beta', 'vip'],
      address: { city: 'Paris', country: 'France' },
    },
    context: web(DESKTOP, '/account'),
  },
  {
    type: 'track',
    messageId: id('viewed'),
    userId: 'user-7',
    anonymousId: 'anon-7',
    event: 'Product Viewed',
    properties: {
      product_id: 123,
      name: 'Lamp',
      price: '19.99',
      quantity: '1',
      currency: 'eur',
      variants: ['red', 'blue'],
      dimensions: { width: '10', height: 20 },
    },
    context: web(ANDROID, '/lamp'),
  },
  {
    type: 'track',
    messageId: id('order'),
    userId: 'user-7',
    anonymousId: 'anon-7',
    event: 'Order Completed',
    properties: {
      order_id: 'o-7',
      revenue: '39.98',
      currency: 'usd',
      coupon: 'SPRING',
      products: [{ product_id: 123, name: 'Lamp', price: '19.99', quantity: 2, sku: 'LAMP-1' }],
    },
    context: web(DESKTOP, '/checkout'),
  },
  {
    type: 'page',
    messageId: id('page'),
    userId: 'user-7',
    anonymousId: 'anon-7',
    name: 'Pricing',
    properties: { path: '/pricing', experiment: { id: 'exp-1', variant: 'b' } },
    context: web(DESKTOP, '/pricing'),
  },
  {
    // An SDK that sends an empty userId beside its anonymousId: ingestion treats it as absent.
    type: 'track',
    messageId: id('clicked'),
    userId: '',
    anonymousId: 'anon-8',
    event: 'Button Clicked',
    properties: { label: 'Buy', _private: true, 'first name': 'Ann', target: { id: 'buy', kind: 'cta' } },
    context: web(ANDROID, '/lamp'),
  },
  {
    type: 'track',
    messageId: id('installed'),
    userId: 'user-9',
    anonymousId: 'anon-9',
    event: 'Application Installed',
    properties: { version: '2.3.0', build: '230' },
    context: app(
      { id: 'device-9', type: 'mobile', advertisingId: '38400000-8cf0-11bd-b23e-10b96e40000d', model: 'Pixel 8' },
      { location: { latitude: '48.8566', longitude: '2.3522' }, screen: { width: '1080', height: 2400 } },
    ),
  },
  {
    type: 'track',
    messageId: id('uninstalled'),
    userId: 'user-9',
    anonymousId: 'anon-9',
    event: 'Application Uninstalled',
    properties: {},
    context: app({ id: 'device-9', type: 'web', model: 'Pixel 8' }),
  },
  {
    type: 'screen',
    messageId: id('screen'),
    userId: 'user-9',
    anonymousId: 'anon-9',
    name: 'Feed',
    properties: { tab: 'home' },
    context: app({ id: 'device-9', type: 'android', model: 'Pixel 8', manufacturer: 'Google' }),
  },
  {
    type: 'group',
    messageId: id('group'),
    userId: 'user-7',
    anonymousId: 'anon-7',
    groupId: 'acme',
    traits: { name: 'Acme', employees: '50', address: { city: 'Paris' } },
    context: web(DESKTOP, '/team'),
  },
  {
    type: 'alias',
    messageId: id('alias'),
    userId: 'user-7',
    previousId: 'anon-7',
    context: web(DESKTOP, '/account'),
  },
];

/** What each destination cannot take at all, by its API: the only events it may drop. */
const UNSUPPORTED: Record<string, string[]> = {
  'google-analytics-4': ['screen', 'group', 'alias'],
};

describe('end to end: realistic events reach every destination, nothing dropped that the API would take', () => {
  let emulators: Record<string, Emulator> = {};
  let pipeline: Pipeline;
  let close = async () => {};

  beforeAll(async () => {
    ({ pipeline, emulators, close } = await startEmulatedPipeline(TYPES));
  }, 60000);

  afterAll(() => close());

  it('delivers the mixed batch, converting or leaving out single fields with notices', async () => {
    expect(await pipeline.track('/v1/batch', { batch: BATCH })).toBe(200);
    const total = (counts: Record<string, number>, instance: string, outcomes: string[]) =>
      Object.entries(counts)
        .filter(([key]) => outcomes.some((outcome) => key.startsWith(`${instance}|${outcome}|`)))
        .reduce((sum, [, n]) => sum + n, 0);
    const { counts } = await waitForReports(
      pipeline.translator.kafka,
      pipeline.translator.translator.names.deliveryReports,
      (c) => TYPES.every((type) => total(c, `dest-${type}`, ['delivered', 'filtered', 'failed']) >= BATCH.length),
      45000,
    );

    for (const type of TYPES) {
      const instance = `dest-${type}`;
      const unsupported = UNSUPPORTED[type] ?? [];
      const expectedDrops = BATCH.filter((e) => unsupported.includes(e.type)).length;
      // Every event delivered, except the call types the API has no call for.
      expect({ type, delivered: counts[`${instance}|delivered|`] ?? 0 }).toEqual({
        type,
        delivered: BATCH.length - expectedDrops,
      });
      expect({ type, failed: total(counts, instance, ['failed', 'retried']) }).toEqual({ type, failed: 0 });
      const filtered = Object.fromEntries(
        Object.entries(counts).filter(([key]) => key.startsWith(`${instance}|filtered|`)),
      );
      expect({ type, filtered }).toEqual({
        type,
        filtered: expectedDrops ? { [`${instance}|filtered|UNSUPPORTED_EVENT_TYPE`]: expectedDrops } : {},
      });
      // Every request was accepted by the emulator's validation.
      const refused = emulators[type]!.requests.filter((r) => r.status < 200 || r.status > 299);
      expect({ type, refused }).toEqual({ type, refused: [] });
    }

    // The webhook received every event exactly as ingestion stored it: nothing converted.
    const hook = emulators['webhook'] as WebhookEmulator;
    const received = hook.deliveries.map((d) => d.body as SpecEvent);
    expect(received.map((e) => e.messageId).sort()).toEqual(BATCH.map((e) => e.messageId).sort());
    expect(received.find((e) => e.messageId === id('identify'))?.traits).toEqual(BATCH[0]?.traits);
    // The empty userId was not stored: the event is anonymous everywhere.
    expect(received.find((e) => e.messageId === id('clicked'))).not.toHaveProperty('userId');

    // Amplitude: revenue only on the order, converted; the Android id as adid; strings as numbers;
    // OS and device of web events from the user agent.
    const amp = emulators['amplitude'] as AmplitudeEmulator;
    const ampEvent = (messageId: string) => amp.events.find((e) => e['insert_id'] === messageId);
    expect(ampEvent(id('order'))).toMatchObject({ revenue: 39.98, revenueType: 'Purchase' });
    expect(ampEvent(id('viewed'))).not.toHaveProperty('revenue');
    expect(ampEvent(id('viewed'))).not.toHaveProperty('price');
    expect(ampEvent(id('viewed'))).toMatchObject({ os_name: 'Android', device_model: 'Pixel 8' });
    expect(ampEvent(id('installed'))).toMatchObject({
      adid: '38400000-8cf0-11bd-b23e-10b96e40000d',
      location_lat: 48.8566,
      location_lng: 2.3522,
    });
    expect(ampEvent(id('installed'))).not.toHaveProperty('idfa');
    expect(ampEvent(id('page'))).toMatchObject({ os_name: 'Windows', os_version: '10' });

    // Mixpanel: browser, OS and device from the user agent.
    const mp = emulators['mixpanel'] as MixpanelEmulator;
    const mpViewed = mp.events.find((e) => e.event === 'Product Viewed');
    expect(mpViewed?.properties).toMatchObject({ $browser: 'Chrome', $os: 'Android', $device: 'Pixel 8' });

    // GA4: the offending params alone flattened or left out; item fields converted; user properties.
    const ga = emulators['google-analytics-4'] as Ga4Emulator;
    expect(ga.collected.flatMap((c) => c.validationMessages)).toEqual([]);
    type Ga4Body = {
      user_properties?: Record<string, { value: unknown }>;
      events: { name: string; params: Record<string, unknown> }[];
    };
    const gaEvent = (name: string) =>
      ga.collected.map((c) => c.body as Ga4Body).find((b) => b.events[0]?.name === name);
    expect(gaEvent('Button_Clicked')?.events[0]?.params).toMatchObject({
      label: 'Buy',
      target_id: 'buy',
      target_kind: 'cta',
    });
    expect(gaEvent('view_item')?.events[0]?.params['items']).toEqual([
      { item_id: '123', item_name: 'Lamp', price: 19.99, quantity: 1, dimensions_width: '10', dimensions_height: 20 },
    ]);
    expect(gaEvent('purchase')?.events[0]?.params).toMatchObject({
      currency: 'USD',
      value: 39.98,
      items: [{ item_id: '123', item_name: 'Lamp', price: 19.99, quantity: 2, sku: 'LAMP-1' }],
    });
    expect(gaEvent('identify')?.user_properties).toEqual({
      plan: { value: 'pro' },
      logins: { value: '12' },
      company_name: { value: 'Acme' },
      company_employees: { value: '50' },
    });

    // PostHog: the context it understands, on every event.
    const ph = emulators['posthog'] as PosthogEmulator;
    expect(ph.dropped).toEqual([]);
    const phEvent = (name: string) => ph.events.find((e) => e.event === name);
    expect(phEvent('Product Viewed')?.properties).toMatchObject({
      $current_url: 'https://shop.example.com/lamp',
      $referrer: 'https://www.google.com/',
      $browser: 'Chrome',
      $os: 'Android',
      $device_type: 'Mobile',
      $lib: 'analytics.js',
      $ip: '203.0.113.7',
      utm_source: 'newsletter',
    });
    expect(phEvent('Application Installed')?.properties).toMatchObject({
      $os: 'Android',
      $device_type: 'Mobile',
      $screen_width: 1080,
      $app_version: '2.3.0',
    });

    // What was converted or left out is counted per instance and reason.
    expect(counts).toMatchObject({
      'dest-amplitude|field_converted|location_lat: string to number': 1,
      'dest-amplitude|field_converted|revenue: string to number': 1,
      'dest-google-analytics-4|field_dropped|params.items[].variants: a list: GA4 params take no lists': 1,
      'dest-google-analytics-4|field_dropped|params._private: reserved name': 1,
      'dest-google-analytics-4|field_converted|items[].item_id: number to string': 2,
      'dest-google-analytics-4|field_dropped|user_properties.email: personal data: GA4 must not receive it': 1,
      'dest-posthog|field_converted|context.screenWidth: string to number': 1,
    });
    expect(Object.keys(counts).some((key) => key.startsWith('dest-webhook|field_'))).toBe(false);
  }, 90000);
});
