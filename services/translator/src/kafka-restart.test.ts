// The Kafka broker (one of this test alone) stops for longer than a consumer session and starts
// again while events keep coming: batches delivered but not committed are read again, by a
// rejoined group, and must not be delivered twice. Three webhooks count what they receive per
// messageId; one of them fails for a while around the stop, so retries are in flight too.
import { setTimeout as sleep } from 'node:timers/promises';
import { WebhookEmulator } from '@manifold/emulators';
import { KafkaClient, type EventProducer } from '@manifold/kafka';
import { PrivateKafka, testLogger } from '@manifold/testing';
import {
  destination,
  snapshot,
  startTestTranslator,
  trackEvent,
  waitFor,
  type TestTranslator,
} from './test-support/harness';
import { deliveryFaults, publishSteadily } from './test-support/steady-load';

/** Longer than the consumers' 30 s session: the group has to be formed again afterwards. */
const OUTAGE_MS = 35_000;

describe('at most one delivery per messageId across a Kafka restart', () => {
  let kafka: PrivateKafka;
  let hooks: WebhookEmulator[];
  let t: TestTranslator;
  let producerClient: KafkaClient;
  let producer: EventProducer;

  beforeAll(async () => {
    kafka = await PrivateKafka.create();
    await kafka.start();
    // Slow enough answers that batches are in flight when the broker goes away.
    hooks = await Promise.all([0, 1, 2].map(() => new WebhookEmulator({ responseDelayMs: 100 }).start()));
    t = await startTestTranslator({
      kafkaBrokers: kafka.brokers,
      snapshot: snapshot(
        hooks.map((hook, n) =>
          destination({
            id: `hook${n}`,
            catalogId: 'webhook',
            catalogName: 'Webhook',
            settings: { url: hook.baseUrl },
          }),
        ),
      ),
      settings: { eventsTopicPartitions: 4, instanceConcurrency: 5 },
    });
    // A client of its own: the translator's may be busy reconnecting when the test sends.
    producerClient = new KafkaClient({
      brokers: kafka.brokers,
      clientId: 'restart-test',
      logger: testLogger('restart'),
    });
    producer = await producerClient.producer();
  }, 180_000);

  afterAll(async () => {
    await producer?.disconnect().catch(() => undefined);
    await producerClient?.disconnect().catch(() => undefined);
    await t?.close().catch(() => undefined);
    await Promise.all((hooks ?? []).map((h) => h.close()));
    await kafka?.destroy();
  }, 120_000);

  it('delivers every messageId once to each webhook, with batches and retries in flight at the stop', async () => {
    let n = 0;
    // About 40 events a second, in small batches, for as long as the broker takes them.
    const load = publishSteadily(
      producer,
      t.settings.eventsTopic,
      () => ({ fresh: Array.from({ length: 8 }, () => trackEvent(n++)) }),
      200,
    );

    await waitFor(() => hooks.every((h) => h.deliveries.length >= 100), 60_000, 'deliveries before the stop');
    // One webhook answers 500 for a while: its events go through the retry tiers meanwhile.
    hooks[2]!.failFor(4000, { status: 500 });
    await sleep(1500);
    await kafka.stop();
    await sleep(OUTAGE_MS);
    await kafka.start();
    await sleep(5000);
    await load.stop();

    const expected = new Set(load.sent.map((e) => e.messageId));
    const deadLetterTopic = t.translator.names.deadLetter('webhook');
    for (const [n, hook] of hooks.entries()) {
      const deadLetters = { kafka: t.kafka, topic: deadLetterTopic, destinationId: `hook${n}` };
      expect({ webhook: n, ...(await deliveryFaults(hook, expected, 120_000, deadLetters)) }).toEqual({
        webhook: n,
        twice: [],
        missing: [],
      });
    }
  }, 400_000);
});
