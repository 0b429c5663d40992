// The translator on its own: events published to a fresh events topic, delivered to webhook
// emulators, outcomes read back from the delivery-reports topic. Real Kafka and FerretDB.
import { WebhookEmulator } from '@manifold/emulators';
import {
  destination,
  publishEvents,
  snapshot,
  startTestTranslator,
  trackEvent,
  waitFor,
  waitForReports,
  type TestTranslator,
} from './test-support/harness';

describe('translator delivery', () => {
  const hooks: WebhookEmulator[] = [];
  let t: TestTranslator;

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) hooks.push(await new WebhookEmulator({ sharedSecret: `secret-${i}` }).start());
    const [a, b, c] = hooks as [WebhookEmulator, WebhookEmulator, WebhookEmulator];
    t = await startTestTranslator({
      snapshot: snapshot([
        destination({
          id: 'hook-a',
          catalogId: 'webhook',
          catalogName: 'Webhook',
          settings: { url: `${a.baseUrl}/a`, sharedSecret: 'secret-0' },
        }),
        destination({
          id: 'hook-b',
          catalogId: 'webhook',
          catalogName: 'Webhook',
          settings: { url: `${b.baseUrl}/b`, sharedSecret: 'secret-1', batchSize: 10 },
          // Only orders above 12 reach hook-b; and the currency is removed from what it gets.
          filters: [
            {
              id: 'f1',
              sourceId: 'src-web',
              title: 'small orders',
              if: 'properties.revenue < 12',
              actions: [{ type: 'DROP' }],
              enabled: true,
            },
            {
              id: 'f2',
              sourceId: 'src-web',
              title: 'no currency',
              if: 'all',
              actions: [{ type: 'DROP_PROPERTIES', fields: { properties: ['currency'] } }],
              enabled: true,
            },
          ],
        }),
        destination({
          id: 'hook-off',
          catalogId: 'webhook',
          catalogName: 'Webhook',
          enabled: false,
          settings: { url: `${c.baseUrl}/off`, sharedSecret: 'secret-2' },
        }),
        // Another type on the same source: not this translator's business.
        destination({ id: 'mp', catalogId: 'mixpanel', catalogName: 'Mixpanel', settings: { projectToken: 'x' } }),
      ]),
    });
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all(hooks.map((h) => h.close()));
  });

  it('delivers every event to each enabled instance, applies filters, and reports each outcome', async () => {
    const [a, b, c] = hooks as [WebhookEmulator, WebhookEmulator, WebhookEmulator];
    const events = Array.from({ length: 5 }, (_, n) => trackEvent(n));
    const excluded = trackEvent(100, { integrations: { All: false } });
    await publishEvents(t.kafka, t.settings.eventsTopic, [...events, excluded]);

    await waitFor(() => a.deliveries.length >= 5, 20000, 'hook-a deliveries');
    await waitFor(
      () => b.deliveries.flatMap((d) => (Array.isArray(d.body) ? d.body : [d.body])).length >= 3,
      20000,
      'hook-b deliveries',
    );

    // hook-a: each event once, as sent, signed (the emulator checks X-Signature).
    const aIds = a.deliveries.map((d) => (d.body as { messageId: string }).messageId).sort();
    expect(aIds).toEqual(events.map((e) => e.messageId).sort());
    expect(a.requests.every((r) => r.status === 200)).toBe(true);
    // hook-b: revenue 10 and 11 dropped by the filter, the rest without currency.
    const bEvents = b.deliveries.flatMap((d) => (Array.isArray(d.body) ? d.body : [d.body])) as Array<{
      messageId: string;
      properties: Record<string, unknown>;
    }>;
    expect(bEvents.map((e) => e.messageId).sort()).toEqual(
      events
        .slice(2)
        .map((e) => e.messageId)
        .sort(),
    );
    expect(bEvents.every((e) => !('currency' in e.properties) && 'order_id' in e.properties)).toBe(true);
    // The disabled instance receives nothing.
    expect(c.requests).toHaveLength(0);

    const { counts, latencies } = await waitForReports(
      t.kafka,
      t.translator.names.deliveryReports,
      (c) => (c['hook-a|delivered|'] ?? 0) >= 5 && (c['hook-off|filtered|DESTINATION_DISABLED'] ?? 0) >= 6,
    );
    expect(counts).toMatchObject({
      'hook-a|delivered|': 5,
      'hook-a|filtered|FILTERED_BY_INTEGRATIONS_OBJECT': 1,
      'hook-b|delivered|': 3,
      'hook-b|filtered|FILTERED_BY_RULES': 2,
      'hook-b|filtered|FILTERED_BY_INTEGRATIONS_OBJECT': 1,
      'hook-off|filtered|DESTINATION_DISABLED': 6,
    });
    expect(Object.keys(counts).some((k) => k.startsWith('mp|'))).toBe(false);
    expect(latencies['hook-a']).toHaveLength(5);
    expect(Math.max(...(latencies['hook-a'] ?? []))).toBeLessThan(15000);
  }, 60000);
});
