// A webhook source's duplicate window at the translator (real Kafka and FerretDB, a webhook
// destination emulator): an app's retry of a delivery more than 24 hours later (Stripe retries for
// up to 3 days) reaches the destination no second time, while a Tracking API messageId repeated as
// late is delivered again, as the store's 24-hour window says. The translator's clock is moved
// rather than waited for.
import { WebhookEmulator } from '@manifold/emulators';
import {
  deliveredIds,
  destination,
  publishEvents,
  snapshot,
  source,
  startTestTranslator,
  trackEvent,
  waitFor,
  WORKSPACE_ID,
  type TestTranslator,
} from './test-support/harness';

const HOUR = 3600_000;
const STRIPE_SOURCE = 'src_stripe';

describe('webhook sources: duplicates within the app’s window', () => {
  let hook: WebhookEmulator;
  let t: TestTranslator;
  let now = Date.now();

  beforeAll(async () => {
    hook = await new WebhookEmulator().start();
    const stripe = source({
      id: STRIPE_SOURCE,
      slug: 'stripe',
      type: 'webhook',
      writeKeys: ['wk-stripe-0123456789abcdef'],
      webhook: {
        kind: 'stripe',
        signingSecret: 'whsec_x',
        previousSigningSecret: '',
        duplicateWindowSeconds: 96 * 3600,
      },
    });
    const hookInstance = destination({
      id: 'hook-dups',
      catalogId: 'webhook',
      catalogName: 'Webhook',
      sourceIds: [source().id, STRIPE_SOURCE],
      settings: { url: `${hook.baseUrl}/in` },
    });
    t = await startTestTranslator({
      snapshot: snapshot([hookInstance], 1, [source(), stripe]),
      // The claims are swept often, with the moved clock (FerretDB has no TTL indexes).
      settings: { claimSweepIntervalMs: 100 },
      now: () => now,
    });
  });

  afterAll(async () => {
    await t?.close();
    await hook?.close();
  });

  it('delivers a Stripe event sent again 25 hours later once, and a Tracking API event twice', async () => {
    // One user for all: one Kafka key, one partition, so the marker is read after the repeats.
    const stripeEvent = trackEvent(1, { messageId: 'stripe-evt_late', userId: 'cus_1', event: 'Charge Succeeded' });
    const apiEvent = trackEvent(2, { messageId: 'api-late', userId: 'cus_1' });
    const stripeMeta = { sourceId: STRIPE_SOURCE, workspaceId: WORKSPACE_ID };
    await publishEvents(t.kafka, t.settings.eventsTopic, [stripeEvent], stripeMeta);
    await publishEvents(t.kafka, t.settings.eventsTopic, [apiEvent]);
    await waitFor(() => deliveredIds(hook).length >= 2, 30_000, 'the first two deliveries');

    now += 25 * HOUR;
    // A sweep with the moved clock: the Tracking API's claim (24 h) is gone, Stripe's (96 h) is not.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await publishEvents(t.kafka, t.settings.eventsTopic, [stripeEvent], stripeMeta);
    await publishEvents(t.kafka, t.settings.eventsTopic, [
      apiEvent,
      trackEvent(3, { messageId: 'api-marker', userId: 'cus_1' }),
    ]);
    await waitFor(() => deliveredIds(hook).includes('api-marker'), 30_000, 'the marker after the repeats');

    const ids = deliveredIds(hook);
    expect(ids.filter((id) => id === 'stripe-evt_late')).toHaveLength(1);
    expect(ids.filter((id) => id === 'api-late')).toHaveLength(2);
  });
});
