// End to end: the Tracking API (ingestion, in-process) → Kafka → the translator → destination
// emulators, on real Kafka and FerretDB.
import type { DestinationConfig } from '@manifold/config-client';
import { parseSettings, translateEvent, type DestinationDefinition } from '@manifold/destination-kit';
import { destinationById } from '@manifold/destinations';
import type {
  Emulator,
  GoogleAdsEmulator,
  IntercomEmulator,
  SalesforceEmulator,
  WebhookEmulator,
} from '@manifold/emulators';
import { decodeEventMessage, type SpecEvent } from '@manifold/events';
import { destination, readTopic, snapshot, waitForReports } from './test-support/harness';
import { startPipeline, type Pipeline } from './test-support/e2e';
import { EMULATOR_SETUPS as SETUPS, emulatorAccessTokens, type EmulatorSetup } from './test-support/emulator-setups';

const CALLS = [
  {
    type: 'identify',
    userId: 'user-42',
    anonymousId: 'anon-42',
    traits: { email: 'ada@example.com', name: 'Ada Lovelace', plan: 'pro', created_at: '2026-01-02T03:04:05.000Z' },
  },
  {
    type: 'track',
    userId: 'user-42',
    anonymousId: 'anon-42',
    event: 'Product Viewed',
    properties: { product_id: 'p-1', price: 19.99, currency: 'USD' },
  },
  {
    type: 'track',
    userId: 'user-42',
    anonymousId: 'anon-42',
    event: 'Order Completed',
    properties: {
      order_id: 'o-1',
      gclid: 'Cj0KCQ-e2e',
      revenue: 39.98,
      currency: 'USD',
      products: [{ product_id: 'p-1', price: 19.99, quantity: 2, name: 'Lamp' }],
    },
  },
  { type: 'page', userId: 'user-42', anonymousId: 'anon-42', name: 'Pricing', properties: { path: '/pricing' } },
  { type: 'screen', userId: 'user-42', anonymousId: 'anon-42', name: 'Home', properties: { tab: 'feed' } },
  { type: 'group', userId: 'user-42', anonymousId: 'anon-42', groupId: 'acme', traits: { name: 'Acme', plan: 'ent' } },
  { type: 'alias', userId: 'user-42', anonymousId: 'anon-42', previousId: 'anon-42' },
].map((call) => ({
  ...call,
  context: {
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36',
    locale: 'en-US',
    page: { url: 'https://shop.example.com/pricing', path: '/pricing', title: 'Pricing' },
  },
}));

describe('end to end: every call type reaches each destination that takes it', () => {
  const emulators: Record<string, Emulator> = {};
  const instances: DestinationConfig[] = [];
  const definitions: Record<string, DestinationDefinition> = {};
  const setups = new Map<string, EmulatorSetup>();
  let pipeline: Pipeline;

  beforeAll(async () => {
    for (const [type, setup] of Object.entries(SETUPS)) {
      const definition = destinationById(type);
      if (!definition) continue; // not registered yet: nothing to deliver to
      const started = await setup();
      const { emulator, settings } = started;
      setups.set(`dest-${type}`, started);
      emulators[type] = emulator;
      definitions[type] = definition;
      instances.push(destination({ id: `dest-${type}`, catalogId: type, catalogName: definition.name, settings }));
    }
    pipeline = await startPipeline({
      snapshot: snapshot(instances),
      settings: { destinationTypes: Object.keys(definitions) },
      accessTokens: emulatorAccessTokens(setups),
    });
  }, 60000);

  afterAll(async () => {
    await pipeline?.close();
    await Promise.all(Object.values(emulators).map((e) => e.close()));
  });

  it('translates and delivers each call, and drops what a destination cannot take with a recorded reason', async () => {
    expect(Object.keys(definitions)).toEqual(expect.arrayContaining(['webhook', 'mixpanel']));
    // Identify first, and only then the rest: a destination such as Intercom takes events only
    // for a contact that exists (the translator delivers concurrently, in no particular order).
    const processed = (counts: Record<string, number>, instance: DestinationConfig) =>
      ['delivered', 'filtered', 'failed'].reduce(
        (sum, outcome) =>
          sum +
          Object.entries(counts)
            .filter(([key]) => key.startsWith(`${instance.id}|${outcome}|`))
            .reduce((s, [, n]) => s + n, 0),
        0,
      );
    const reportsTopic = pipeline.translator.translator.names.deliveryReports;
    expect(await pipeline.track('/v1/batch', { batch: CALLS.slice(0, 1) })).toBe(200);
    await waitForReports(
      pipeline.translator.kafka,
      reportsTopic,
      (counts) => instances.every((instance) => processed(counts, instance) >= 1),
      30000,
    );
    expect(await pipeline.track('/v1/batch', { batch: CALLS.slice(1) })).toBe(200);

    // The events as ingestion enriched them (messageId, timestamps): what the translator consumed.
    const topic = pipeline.translator.settings.eventsTopic;
    const ingested: SpecEvent[] = (await readTopic(pipeline.translator.kafka, topic, CALLS.length)).map(
      (m) => decodeEventMessage(m).event,
    );
    expect(ingested).toHaveLength(CALLS.length);

    // What each destination should do with each event, from the kit's own (pure) translation.
    const expected = Object.entries(definitions).map(([type, definition]) => {
      const instance = instances.find((i) => i.catalogId === type)!;
      const settings = parseSettings(definition, instance.settings);
      if (!settings.ok) throw new Error(settings.outcome.message);
      const translations = ingested.map((event) => translateEvent(definition, event, settings.settings));
      return { type, instance, translations };
    });

    const { counts } = await waitForReports(
      pipeline.translator.kafka,
      reportsTopic,
      (c) => expected.every(({ instance }) => processed(c, instance) >= CALLS.length),
      30000,
    );

    for (const { type, instance, translations } of expected) {
      const emulator = emulators[type]!;
      const sent = translations.filter((t) => t.kind === 'requests');
      const drops = translations.flatMap((t) => (t.kind === 'drop' ? [t.reason] : []));
      const deadLetters = translations.filter((t) => t.kind === 'dead-letter');
      expect({ type, deadLetters }).toEqual({ type, deadLetters: [] });

      // Every request the destination got was accepted by its emulator's validation.
      expect({ type, refused: emulator.requests.filter((r) => r.status < 200 || r.status > 299) }).toEqual({
        type,
        refused: [],
      });
      // Each endpoint the translations call was called.
      const called = new Set(emulator.requests.map((r) => `${r.method} ${r.path}`));
      for (const translation of sent) {
        for (const request of translation.kind === 'requests' ? translation.requests : []) {
          expect({
            type,
            call: `${request.method} ${new URL(request.url).pathname}`,
            called: called.has(`${request.method} ${new URL(request.url).pathname}`),
          }).toEqual({
            type,
            call: `${request.method} ${new URL(request.url).pathname}`,
            called: true,
          });
        }
      }
      // Outcomes as counted for the console.
      expect({ type, delivered: counts[`${instance.id}|delivered|`] ?? 0 }).toEqual({ type, delivered: sent.length });
      const filtered: Record<string, number> = {};
      for (const reason of drops) filtered[reason] = (filtered[reason] ?? 0) + 1;
      for (const [reason, n] of Object.entries(filtered)) {
        expect({ type, reason, n: counts[`${instance.id}|filtered|${reason}`] }).toEqual({ type, reason, n });
      }
    }

    // Salesforce's lookup-then-create flows ran to the end, with the translator's access token.
    if (emulators['salesforce']) {
      const salesforce = emulators['salesforce'] as SalesforceEmulator;
      expect(salesforce.find('Lead', 'Email', 'ada@example.com').map((r) => r.fields)).toEqual([
        { FirstName: 'Ada', LastName: 'Lovelace', Company: '[not provided]', Email: 'ada@example.com' },
      ]);
      expect(salesforce.find('Account', 'AccountNumber', 'acme').map((r) => r.fields)).toEqual([
        { Name: 'Acme', AccountNumber: 'acme' },
      ]);
    }

    // Google Ads took the order as a click conversion, with the translator's access token.
    if (emulators['google-ads']) {
      expect((emulators['google-ads'] as GoogleAdsEmulator).conversions.map((c) => c.conversion)).toMatchObject([
        { gclid: 'Cj0KCQ-e2e', orderId: 'o-1', conversionValue: 39.98, currencyCode: 'USD' },
      ]);
    }

    // Intercom's multi-request flows ran to the end: the contact was searched, then created; the
    // group call attached it to the company; both track calls were recorded on it.
    if (emulators['intercom']) {
      const intercom = emulators['intercom'] as IntercomEmulator;
      const contact = intercom.contactByExternalId('user-42');
      expect(contact).toMatchObject({ email: 'ada@example.com', name: 'Ada Lovelace' });
      expect(
        intercom.events
          .filter((e) => e.contactId === contact?.id)
          .map((e) => e.event_name)
          .sort(),
      ).toEqual(['Order Completed', 'Product Viewed']);
      const company = [...intercom.companies.values()].find((c) => c.company_id === 'acme');
      expect(company?.name).toBe('Acme');
      expect(contact?.companies).toContain(company?.id);
    }

    // The webhook receives each event exactly as ingested.
    if (emulators['webhook']) {
      const hook = emulators['webhook'] as WebhookEmulator;
      expect(hook.deliveries.map((d) => d.body).sort(byMessageId)).toEqual([...ingested].sort(byMessageId));
    }
  }, 60000);
});

function byMessageId(a: unknown, b: unknown): number {
  return String((a as SpecEvent).messageId).localeCompare(String((b as SpecEvent).messageId));
}
