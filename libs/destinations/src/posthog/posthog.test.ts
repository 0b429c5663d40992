import { buildRequests, catalogEntry, prepareEvent, translateEvent } from '@manifold/destination-kit';
import { validateDefinition } from '@manifold/destination-kit/testing';
import { PosthogEmulator } from '@manifold/emulators';
import { posthog, posthogEventUuid } from './index';
import {
  deliverAll,
  parsed,
  runTranslationCases,
  specEvent,
  TIMESTAMP,
  type TranslationCase,
} from '../test-support/harness';
import { USER_AGENTS } from '../test-support/user-agents';

const KEY = 'phc_test_key';
const MESSAGE_ID = specEvent({ type: 'track' }).messageId;
const UUID = posthogEventUuid(MESSAGE_ID);
const IP = '203.0.113.7';
/** The context of `specEvent` (analytics.js in Chrome on Linux) as PostHog's own properties. */
const web = {
  $current_url: 'https://shop.example.com/cart',
  $host: 'shop.example.com',
  $pathname: '/cart',
  $referrer: 'https://google.com/',
  $referring_domain: 'google.com',
  $browser: 'Chrome',
  $browser_version: '130.0',
  $os: 'Linux',
  $device_type: 'Desktop',
  $lib: 'analytics.js',
  $lib_version: 'next-1.84.1',
  $locale: 'en-US',
  $timezone: 'Europe/Paris',
};

const batch = (...events: unknown[]) => ({
  method: 'POST',
  path: '/batch/',
  headers: { 'content-type': 'application/json' },
  json: { api_key: KEY, historical_migration: false, batch: events },
});

const cases: TranslationCase[] = [
  {
    name: 'track: /batch/ with properties, distinct_id = userId, uuid from messageId, event time',
    event: specEvent({ type: 'track', event: 'Order Completed', properties: { total: 30, currency: 'EUR' } }),
    expect: {
      requests: [
        batch({
          event: 'Order Completed',
          properties: { ...web, total: 30, currency: 'EUR', distinct_id: 'user-1001', $ip: IP },
          timestamp: TIMESTAMP,
          uuid: UUID,
        }),
      ],
    },
  },
  {
    name: 'track of an anonymous visitor: distinct_id = anonymousId, no person profile',
    event: specEvent({ type: 'track', userId: null, event: 'Viewed Pricing', properties: {} }),
    expect: {
      requests: [
        batch({
          event: 'Viewed Pricing',
          properties: { ...web, distinct_id: 'anon-4d2b9c', $ip: IP, $process_person_profile: false },
          timestamp: TIMESTAMP,
          uuid: UUID,
        }),
      ],
    },
  },
  {
    name: 'track with GeoIP disabled and historical migration on',
    event: specEvent({ type: 'track', event: 'Imported', context: {}, properties: { n: 1 } }),
    settings: { geoipDisable: true, historicalMigration: true },
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/batch/',
          json: {
            api_key: KEY,
            historical_migration: true,
            batch: [
              {
                event: 'Imported',
                properties: { n: 1, distinct_id: 'user-1001', $geoip_disable: true },
                timestamp: TIMESTAMP,
                uuid: UUID,
              },
            ],
          },
        },
      ],
    },
  },
  {
    name: 'page: $pageview with $current_url from context.page.url',
    event: specEvent({ type: 'page', name: 'Cart', properties: { title: 'Cart' } }),
    expect: {
      requests: [
        batch({
          event: '$pageview',
          properties: {
            ...web,
            title: 'Cart',
            $current_url: 'https://shop.example.com/cart',
            distinct_id: 'user-1001',
            $ip: IP,
          },
          timestamp: TIMESTAMP,
          uuid: UUID,
        }),
      ],
    },
  },
  {
    name: 'every event carries the context PostHog understands: page, browser, OS, device, library, screen, locale, campaign',
    event: specEvent({
      type: 'track',
      event: 'Signed Up',
      properties: { plan: 'pro' },
      context: {
        ...specEvent({ type: 'track' }).context,
        userAgent: USER_AGENTS.desktopChrome,
        page: { url: 'https://shop.example.com/signup?utm_source=news', referrer: 'https://news.example.org/a' },
        screen: { width: '1920', height: 1080 },
        campaign: { source: 'news', medium: 'email', name: 'spring', term: 'shoes', content: 'hero' },
      },
    }),
    expect: {
      requests: [
        batch({
          event: 'Signed Up',
          properties: {
            $current_url: 'https://shop.example.com/signup?utm_source=news',
            $host: 'shop.example.com',
            $pathname: '/signup',
            $referrer: 'https://news.example.org/a',
            $referring_domain: 'news.example.org',
            $browser: 'Chrome',
            $browser_version: '131.0.0.0',
            $os: 'Windows',
            $os_version: '10',
            $device_type: 'Desktop',
            $lib: 'analytics.js',
            $lib_version: 'next-1.84.1',
            $screen_width: 1920,
            $screen_height: 1080,
            $locale: 'en-US',
            $timezone: 'Europe/Paris',
            utm_source: 'news',
            utm_medium: 'email',
            utm_campaign: 'spring',
            utm_term: 'shoes',
            utm_content: 'hero',
            plan: 'pro',
            distinct_id: 'user-1001',
            $ip: IP,
          },
          timestamp: TIMESTAMP,
          uuid: UUID,
        }),
      ],
      notices: [{ kind: 'converted', field: 'context.screenWidth', reason: 'string to number' }],
    },
  },
  {
    name: 'a phone browser: $device_type Mobile, model and maker from the user agent',
    event: specEvent({
      type: 'page',
      name: 'Home',
      properties: {},
      context: { ...specEvent({ type: 'page' }).context, userAgent: USER_AGENTS.androidChrome },
    }),
    expect: {
      requests: [
        batch({
          event: '$pageview',
          properties: {
            ...web,
            $browser_version: '131.0.6778.81',
            $os: 'Android',
            $os_version: '14',
            $device_type: 'Mobile',
            $device_model: 'Pixel 8',
            $device_manufacturer: 'Google',
            distinct_id: 'user-1001',
            $ip: IP,
          },
          timestamp: TIMESTAMP,
          uuid: UUID,
        }),
      ],
    },
  },
  {
    name: "a mobile app's screen: OS, device and app from the context, not from its HTTP client's user agent",
    event: specEvent({
      type: 'screen',
      name: 'Feed',
      properties: {},
      context: {
        ip: IP,
        userAgent: 'okhttp/4.12.0',
        library: { name: 'analytics-android', version: '4.11.3' },
        os: { name: 'Android', version: '14' },
        device: { type: 'android', model: 'SM-S911B', manufacturer: 'samsung', name: 'dm1q' },
        app: { name: 'Shop', version: '2.3.0', build: '230', namespace: 'com.example.shop' },
        screen: { width: 1080, height: 2340, density: 3 },
        locale: 'de-DE',
        timezone: 'Europe/Berlin',
      },
    }),
    expect: {
      requests: [
        batch({
          event: '$screen',
          properties: {
            $os: 'Android',
            $os_version: '14',
            $device_type: 'Mobile',
            $device_model: 'SM-S911B',
            $device_manufacturer: 'samsung',
            $device_name: 'dm1q',
            $app_name: 'Shop',
            $app_version: '2.3.0',
            $app_build: '230',
            $app_namespace: 'com.example.shop',
            $lib: 'analytics-android',
            $lib_version: '4.11.3',
            $screen_width: 1080,
            $screen_height: 2340,
            $screen_density: 3,
            $locale: 'de-DE',
            $timezone: 'Europe/Berlin',
            $screen_name: 'Feed',
            distinct_id: 'user-1001',
            $ip: IP,
          },
          timestamp: TIMESTAMP,
          uuid: UUID,
        }),
      ],
    },
  },
  {
    name: 'page without any URL is dropped: $pageview needs $current_url',
    event: specEvent({ type: 'page', name: 'Cart', context: {}, properties: {} }),
    expect: { drop: 'INVALID_PAYLOAD', message: '$current_url' },
  },
  {
    name: 'screen: $screen with $screen_name',
    event: specEvent({ type: 'screen', name: 'Home', context: { ip: IP }, properties: { tab: 2 } }),
    expect: {
      requests: [
        batch({
          event: '$screen',
          properties: { tab: 2, $screen_name: 'Home', distinct_id: 'user-1001', $ip: IP },
          timestamp: TIMESTAMP,
          uuid: UUID,
        }),
      ],
    },
  },
  {
    name: 'identify: $identify on /i/v0/e/ with $set and the anonymous id merged',
    event: specEvent({ type: 'identify', traits: { email: 'ann@example.com', plan: 'pro' } }),
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/i/v0/e/',
          json: {
            api_key: KEY,
            event: '$identify',
            timestamp: TIMESTAMP,
            uuid: UUID,
            distinct_id: 'user-1001',
            properties: {
              ...web,
              $set: { email: 'ann@example.com', plan: 'pro' },
              $anon_distinct_id: 'anon-4d2b9c',
              $ip: IP,
            },
          },
        },
      ],
    },
  },
  {
    name: 'identify of an anonymous visitor: $set on the anonymous id, no $identify',
    event: specEvent({ type: 'identify', userId: null, traits: { plan: 'free' } }),
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/i/v0/e/',
          json: {
            api_key: KEY,
            event: '$set',
            timestamp: TIMESTAMP,
            uuid: UUID,
            distinct_id: 'anon-4d2b9c',
            properties: { ...web, $set: { plan: 'free' }, $ip: IP },
          },
        },
      ],
    },
  },
  {
    name: 'group: $groupidentify with the configured group type',
    event: specEvent({ type: 'group', groupId: 'acme', traits: { name: 'Acme', employees: 40 } }),
    settings: { groupType: 'organization' },
    expect: {
      requests: [
        batch({
          event: '$groupidentify',
          properties: {
            ...web,
            $group_type: 'organization',
            $group_key: 'acme',
            $group_set: { name: 'Acme', employees: 40 },
            distinct_id: 'user-1001',
            $ip: IP,
          },
          timestamp: TIMESTAMP,
          uuid: UUID,
        }),
      ],
    },
  },
  {
    name: 'alias: $create_alias merging previousId into userId',
    event: specEvent({ type: 'alias', previousId: 'anon-4d2b9c', context: {} }),
    expect: {
      requests: [
        batch({
          event: '$create_alias',
          properties: { alias: 'anon-4d2b9c', distinct_id: 'user-1001' },
          timestamp: TIMESTAMP,
          uuid: UUID,
        }),
      ],
    },
  },
  {
    name: 'alias without userId is dropped',
    event: specEvent({ type: 'alias', userId: null, previousId: 'x' }),
    expect: { drop: 'INVALID_PAYLOAD', message: 'userId' },
  },
];

describe('PostHog', () => {
  let ph: PosthogEmulator;
  beforeAll(async () => {
    ph = await new PosthogEmulator({ apiKey: KEY }).start();
  });
  afterAll(() => ph.close());

  const base = () => ({ apiKey: KEY, apiBaseUrl: ph.baseUrl });

  it('has a valid definition and catalog entry', () => {
    expect(validateDefinition(posthog)).toEqual([]);
    expect(catalogEntry(posthog)).toMatchObject({
      id: 'posthog',
      name: 'PostHog',
      secrets: { apiKey: 'whole', apiBaseUrl: 'url' },
      supportedCallTypes: ['identify', 'track', 'page', 'screen', 'group', 'alias'],
      settingsSchema: { properties: { apiBaseUrl: { default: 'https://us.i.posthog.com' } } },
    });
  });

  runTranslationCases(posthog, cases, () => ({ baseSettings: base(), baseUrl: ph.baseUrl }));

  it('the emulator ingested every case without a shape problem and applied persons, groups, merges', () => {
    expect(ph.dropped).toEqual([]);
    expect(ph.events.length).toBeGreaterThanOrEqual(8);
    expect(ph.events.filter((e) => e.problems.length > 0)).toEqual([]);
    expect(ph.persons.get('user-1001')).toEqual({ email: 'ann@example.com', plan: 'pro' });
    expect(ph.groups.get('organization:acme')).toEqual({ name: 'Acme', employees: 40 });
    expect(ph.merges).toEqual([
      ['user-1001', 'anon-4d2b9c'],
      ['user-1001', 'anon-4d2b9c'],
    ]);
  });

  it('uuids: a UUID messageId is kept, others map to a stable UUIDv5', () => {
    expect(posthogEventUuid('0190A5F2-7B3C-7D4E-8F10-123456789ABC')).toBe('0190a5f2-7b3c-7d4e-8f10-123456789abc');
    expect(UUID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(posthogEventUuid(MESSAGE_ID)).toBe(UUID);
    expect(posthogEventUuid(`${MESSAGE_ID}x`)).not.toBe(UUID);
  });

  it('batches track, page and screen of one instance into one /batch/ request; a retry is deduplicated', async () => {
    ph.reset();
    const settings = parsed(posthog, base());
    const events = [
      specEvent({ type: 'track', event: 'A', messageId: 'm-1' }),
      specEvent({ type: 'page', messageId: 'm-2' }),
      specEvent({ type: 'screen', name: 'Home', messageId: 'm-3' }),
    ];
    const prepared = events.map((e) => {
      const p = prepareEvent(posthog, e, settings);
      if (!('payload' in p)) throw new Error(p.message);
      return p;
    });
    expect(new Set(prepared.map((p) => p.batchKey))).toEqual(new Set(['trackEvent:']));
    const requests = buildRequests(
      posthog,
      'trackEvent',
      prepared.map((p) => p.payload),
      settings,
    );
    expect(requests.map((r) => r.itemEvents)).toEqual([[0, 1, 2]]);
    await deliverAll(posthog, requests);
    await deliverAll(posthog, requests);
    expect(ph.events).toHaveLength(6);
    expect(ph.uniqueEvents().map((e) => e.event)).toEqual(['A', '$pageview', '$screen']);
  });

  it('a wrong key is a permanent failure; 503 and 429 are retried', async () => {
    const translation = translateEvent(
      posthog,
      specEvent({ type: 'track', event: 'X' }),
      parsed(posthog, { ...base(), apiKey: 'phc_wrong' }),
    );
    if (translation.kind !== 'requests') throw new Error('no requests');
    const [rejected] = await deliverAll(posthog, translation.requests);
    expect(rejected?.outcome).toMatchObject({ kind: 'dead-letter', reason: 'REJECTED', status: 401 });
    ph.failNext(1, { status: 503 });
    ph.failNext(1, { status: 429, retryAfterSeconds: 5 });
    const good = translateEvent(posthog, specEvent({ type: 'track', event: 'X' }), parsed(posthog, base()));
    if (good.kind !== 'requests') throw new Error('no requests');
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push((await deliverAll(posthog, good.requests))[0]?.outcome);
    expect(outcomes).toMatchObject([
      { kind: 'retry', status: 503 },
      { kind: 'retry', status: 429, retryAfterMs: 5000 },
      { kind: 'delivered', status: 200 },
    ]);
  });
});
