// At most one delivery per messageId and destination instance across replicas and restarts.
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

describe('messageId deduplication across replicas and restarts', () => {
  let hook: WebhookEmulator;
  let t: TestTranslator;

  beforeAll(async () => {
    hook = await new WebhookEmulator().start();
    t = await startTestTranslator({
      snapshot: snapshot([
        destination({
          id: 'hook',
          catalogId: 'webhook',
          catalogName: 'Webhook',
          settings: { url: `${hook.baseUrl}/in` },
        }),
      ]),
      settings: { eventsTopicPartitions: 4 },
    });
  });

  afterAll(async () => {
    await t?.close();
    await hook?.close();
  });

  const ids = () => hook.deliveries.map((d) => (d.body as { messageId: string }).messageId);

  it('two replicas in one group deliver each messageId once, though its copies land on different partitions', async () => {
    await t.startAnother();
    const events = Array.from({ length: 40 }, (_, n) => trackEvent(n));
    // Copies under other users: other partition keys, so other partitions (and replicas).
    const copies = events.map((e, n) => ({ ...e, userId: `someone-else-${n}` }));
    await publishEvents(t.kafka, t.settings.eventsTopic, [...events, ...copies]);
    const { counts } = await waitForReports(
      t.kafka,
      t.translator.names.deliveryReports,
      (c) => (c['hook|delivered|'] ?? 0) + (c['hook|filtered|DUPLICATE_MESSAGE_ID'] ?? 0) >= 80,
      30000,
    );
    expect(counts['hook|delivered|']).toBe(40);
    expect(counts['hook|filtered|DUPLICATE_MESSAGE_ID']).toBe(40);
    expect(ids().sort()).toEqual(events.map((e) => e.messageId).sort());
  }, 60000);

  it('a restarted translator still refuses a messageId delivered before the restart', async () => {
    hook.reset();
    const event = trackEvent(1000);
    await publishEvents(t.kafka, t.settings.eventsTopic, [event]);
    await waitFor(() => hook.deliveries.length >= 1, 20000, 'the first delivery');

    await t.stopTranslator();
    const restarted = await t.startAnother();
    await publishEvents(t.kafka, t.settings.eventsTopic, [{ ...event, properties: { again: true } }, trackEvent(1001)]);
    await waitFor(() => hook.deliveries.length >= 2, 20000, 'the event after the restart');
    await new Promise((r) => setTimeout(r, 1000));
    expect(ids()).toEqual([event.messageId, expect.stringMatching(/^msg-1001-/)]);
    const { counts } = await waitForReports(
      t.kafka,
      restarted.names.deliveryReports,
      (c) => (c['hook|filtered|DUPLICATE_MESSAGE_ID'] ?? 0) >= 41,
    );
    expect(counts['hook|filtered|DUPLICATE_MESSAGE_ID']).toBe(41);
  }, 60000);
});
