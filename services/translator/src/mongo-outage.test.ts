// The claim store (MongoDB; here a FerretDB of this test alone) goes away for 30 s while events
// and re-sent copies of them keep arriving: no messageId is delivered twice, deliveries wait
// (readiness says so) instead of going out unguarded, and every event is delivered once it is back.
import { setTimeout as sleep } from 'node:timers/promises';
import { WebhookEmulator } from '@manifold/emulators';
import type { EventProducer } from '@manifold/kafka';
import { PrivateFerretDb } from '@manifold/testing';
import {
  destination,
  snapshot,
  startTestTranslator,
  trackEvent,
  waitFor,
  type TestTranslator,
} from './test-support/harness';
import { deliveryFaults, publishSteadily } from './test-support/steady-load';

const OUTAGE_MS = 30_000;

describe('messageId claims while MongoDB is unreachable', () => {
  let ferret: PrivateFerretDb;
  let hook: WebhookEmulator;
  let t: TestTranslator;
  let producer: EventProducer;

  beforeAll(async () => {
    ferret = await PrivateFerretDb.create();
    await ferret.start();
    hook = await new WebhookEmulator().start();
    t = await startTestTranslator({
      mongoUrl: ferret.url,
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
    producer = await t.kafka.producer();
  }, 120_000);

  afterAll(async () => {
    await producer?.disconnect();
    await ferret?.start().catch(() => undefined);
    await t?.close();
    await hook?.close();
    await ferret?.destroy();
  }, 60_000);

  it('pauses deliveries until claims can be made again, then delivers each messageId once', async () => {
    let n = 0;
    // 10 new events a second, each sent again about two seconds later under another user (so
    // usually on another partition, where it may even be read before the first copy).
    const load = publishSteadily(
      producer,
      t.settings.eventsTopic,
      (sent) => ({
        fresh: [trackEvent(n++), trackEvent(n++)],
        again: sent.slice(-20, -18).map((e) => ({ ...e, userId: `${e.userId}-again`, properties: { again: true } })),
      }),
      200,
    );

    await waitFor(() => hook.deliveries.length >= 20, 30_000, 'deliveries before the outage');
    await ferret.stop();
    const stoppedAt = Date.now();
    const deliveredAtStop = hook.deliveries.length;

    // While the claim store is away, readiness says deliveries are paused.
    let paused = false;
    while (!paused && Date.now() - stoppedAt < OUTAGE_MS - 5000) {
      try {
        t.translator.checkDeliveries();
        await sleep(200);
      } catch (error) {
        paused = true;
        expect(String(error)).toMatch(/deliveries paused since .*messageId claims cannot be made/);
      }
    }
    expect(paused).toBe(true);
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt)));
    // A request already claimed when the store went away may still have gone out; nothing after.
    expect(hook.deliveries.length - deliveredAtStop).toBeLessThan(20);
    await ferret.start();

    await sleep(3000);
    await load.stop();
    const expected = new Set(load.sent.map((e) => e.messageId));
    expect(await deliveryFaults(hook, expected, 90_000)).toEqual({ twice: [], missing: [] });
    expect(() => t.translator.checkDeliveries()).not.toThrow();
  }, 240_000);
});
