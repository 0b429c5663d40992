// An instance's own mappings, end to end: the control plane (in-process) holds two webhook
// instances on one source, one with a custom mapping and one with the presets; the translator
// gets both through the config stream and delivers to webhook emulators over real Kafka. A
// mapping change and a rollback take effect without a restart.
import type { ConfigStreamClient } from '@manifold/config-client';
import { WebhookEmulator } from '@manifold/emulators';
import type { SpecEvent } from '@manifold/events';
import type { KafkaClient } from '@manifold/kafka';
import type { DestinationMapping } from '@manifold/proto';
import type { Harness } from '../../control-plane/src/test-support/harness';
import { publishEvents, trackEvent, TEST_RETRY_DELAYS, waitFor } from './test-support/harness';
import { startTranslatorOnControlPlane, type TranslatorOnControlPlane } from './test-support/with-control-plane';

const renamedSignup: DestinationMapping = {
  id: 'signup',
  name: 'Signups, renamed, with the plan',
  enabled: true,
  trigger: 'type = "track" and event = "Signed Up"',
  action: 'send',
  fields: {
    data: {
      event: { '@replace': { value: { '@path': '$.event' }, pattern: 'Signed Up', replacement: 'signup' } },
      messageId: { '@path': '$.messageId' },
      userId: { '@path': '$.userId' },
      // A trait into a custom property.
      properties: { plan: { '@case': { operator: 'upper', value: { '@path': '$.context.traits.plan' } } } },
      // A Liquid template, as Segment's mappings write them: saved through the control plane's
      // validation, rendered by the translator.
      summary: {
        '@liquid':
          '{{ userId | upcase }}: {% if context.traits.plan %}{{ context.traits.plan }}{% else %}free{% endif %}',
      },
    },
  },
};

/** What `renamedSignup` makes of a signup whose user's plan is "pro". */
const signupBody = (signup: SpecEvent) => ({
  event: 'signup',
  messageId: signup.messageId,
  userId: signup.userId,
  properties: { plan: 'PRO' },
  summary: `${String(signup.userId).toUpperCase()}: pro`,
});

const clicked: DestinationMapping = {
  id: 'clicked',
  name: 'Clicks only',
  enabled: true,
  trigger: 'event = "Clicked"',
  action: 'send',
  fields: { data: { event: 'click', messageId: { '@path': '$.messageId' } } },
};

describe('mappings per destination instance, end to end', () => {
  let stack: TranslatorOnControlPlane;
  let cp: Harness;
  let kafka: KafkaClient;
  let configView: ConfigStreamClient;
  let eventsTopic: string;
  let custom: WebhookEmulator;
  let presets: WebhookEmulator;
  let metadata: { sourceId: string; workspaceId: string };
  let customId: string;
  let presetsId: string;

  beforeAll(async () => {
    custom = await new WebhookEmulator().start();
    presets = await new WebhookEmulator().start();
    // Short retry tiers: the retried mapping is awaited. With the default tiers (5 s, 30 s, ...) the
    // backoff's random factor sends half of the first retries to the 30 s tier, past the wait.
    stack = await startTranslatorOnControlPlane('translator-mappings', { retryDelaysMs: TEST_RETRY_DELAYS });
    ({ cp, kafka, configView, eventsTopic } = stack);
    const ws = await cp.client.workspaces.createWorkspace({
      slug: 'maps',
      name: 'Maps',
      ownerEmail: 'o@maps.test',
      members: [],
    });
    const web = await cp.client.sources.createSource({
      workspace: 'maps',
      slug: 'web',
      name: 'Web',
      environment: 'prod',
      type: 'javascript',
      category: 'website',
    });
    metadata = { sourceId: web.id, workspaceId: ws.id };
    const create = async (name: string, hook: WebhookEmulator) =>
      (
        await cp.client.destinations.createDestination({
          workspace: 'maps',
          name,
          catalogId: 'webhook',
          settings: { url: `${hook.baseUrl}/in` },
          sources: ['web'],
          syncIntervalSeconds: 0,
        })
      ).id;
    customId = await create('Custom', custom);
    presetsId = await create('Presets', presets);
    await cp.client.destinations.setDestinationMappings({
      workspace: 'maps',
      destination: customId,
      mappings: [renamedSignup],
      comment: 'signups only',
      dryRun: false,
    });
    await waitFor(
      () => configView.destination(customId)?.mappings?.[0]?.id === 'signup' && !!configView.destination(presetsId),
      10000,
      'both instances in the config stream',
    );
  }, 60000);

  afterAll(async () => {
    await stack?.close();
    await custom?.close();
    await presets?.close();
  });

  const event = (n: number, overrides: Partial<SpecEvent>): SpecEvent =>
    trackEvent(n, { context: { traits: { plan: 'pro' } }, ...overrides });
  const bodies = (hook: WebhookEmulator) => hook.deliveries.map((d) => d.body as Record<string, unknown>);

  async function stats(destination: string, done: (s: { delivered: number; filtered: number }) => boolean) {
    let latest = await cp.client.destinations.getDeliveryStats({ workspace: 'maps', destination });
    const deadline = Date.now() + 20000;
    while (!done(latest) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      latest = await cp.client.destinations.getDeliveryStats({ workspace: 'maps', destination });
    }
    return latest;
  }

  it('delivers exactly the custom mapping to one instance and the defaults to the other', async () => {
    const signup = event(1, { event: 'Signed Up' });
    const click = event(2, { event: 'Clicked' });
    const identify: SpecEvent = { ...event(3, {}), type: 'identify', traits: { plan: 'pro' } };
    delete (identify as Partial<SpecEvent>).event;
    await publishEvents(kafka, eventsTopic, [signup, click, identify], metadata);

    await waitFor(() => presets.deliveries.length >= 3, 20000, 'the presets instance to get all three');
    await waitFor(() => custom.deliveries.length >= 1, 20000, 'the custom instance to get the signup');
    // The presets send each event whole, as before mappings existed.
    expect(
      bodies(presets)
        .map((b) => b['messageId'])
        .sort(),
    ).toEqual([signup.messageId, click.messageId, identify.messageId].sort());
    expect(bodies(presets).find((b) => b['messageId'] === signup.messageId)).toMatchObject({
      event: 'Signed Up',
      context: { traits: { plan: 'pro' } },
    });
    // The custom instance: only the signup, renamed, with the trait as a property, and nothing else.
    const customStats = await stats(customId, (s) => s.delivered >= 1 && s.filtered >= 2);
    expect(bodies(custom)).toEqual([signupBody(signup)]);
    expect(customStats).toMatchObject({ delivered: 1, filtered: 2, failed: 0 });
    expect(customStats.filteredByReason).toEqual([{ reason: 'NO_MATCHING_MAPPING', count: 2 }]);
  }, 60000);

  it('runs every mapping an event matches, takes a change within 10 s without a restart, and rolls back', async () => {
    custom.deliveries.length = 0;
    const saved = await cp.client.destinations.setDestinationMappings({
      workspace: 'maps',
      destination: customId,
      mappings: [
        renamedSignup,
        clicked,
        {
          ...clicked,
          id: 'every-track',
          name: 'Every track',
          trigger: 'type = "track"',
          fields: { data: { all: { '@path': '$.event' }, id: { '@path': '$.messageId' } } },
        },
      ],
      comment: 'clicks too',
      dryRun: false,
    });
    const savedAt = Date.now();
    // A click every half second until one arrives mapped the new way: the change has reached the translator.
    let n = 100;
    while (!bodies(custom).some((b) => b['event'] === 'click') && Date.now() - savedAt < 15000) {
      await publishEvents(kafka, eventsTopic, [event(n++, { event: 'Clicked' })], metadata);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(Date.now() - savedAt).toBeLessThan(10000);

    // One event matching two mappings triggers both.
    custom.deliveries.length = 0;
    const both = event(200, { event: 'Clicked' });
    await publishEvents(kafka, eventsTopic, [both], metadata);
    await waitFor(
      () => bodies(custom).filter((b) => b['messageId'] === both.messageId || b['id'] === both.messageId).length >= 2,
      20000,
      'both mappings of the click',
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(bodies(custom).filter((b) => b['messageId'] === both.messageId)).toEqual([
      { event: 'click', messageId: both.messageId },
    ]);
    expect(bodies(custom).filter((b) => b['id'] === both.messageId)).toEqual([{ all: 'Clicked', id: both.messageId }]);

    // Back to the version with signups only: clicks stop, signups go on.
    await cp.client.destinations.rollbackDestinationMappings({
      workspace: 'maps',
      destination: customId,
      version: saved.mappingsVersion - 1,
      comment: '',
    });
    await waitFor(() => configView.destination(customId)?.mappings?.length === 1, 10000, 'the rollback in the stream');
    custom.deliveries.length = 0;
    const signup = event(300, { event: 'Signed Up' });
    await publishEvents(kafka, eventsTopic, [event(301, { event: 'Clicked' }), signup], metadata);
    await waitFor(() => custom.deliveries.length >= 1, 20000, 'the signup after the rollback');
    await new Promise((r) => setTimeout(r, 1000));
    expect(bodies(custom)).toEqual([signupBody(signup)]);
  }, 90000);

  it('retries only the mapping whose request failed, not the one already delivered', async () => {
    const everyTrack: DestinationMapping = {
      ...clicked,
      id: 'every-track',
      name: 'Every track',
      trigger: 'type = "track"',
      fields: { data: { all: { '@path': '$.event' }, id: { '@path': '$.messageId' } } },
    };
    await cp.client.destinations.setDestinationMappings({
      workspace: 'maps',
      destination: customId,
      mappings: [clicked, everyTrack],
      comment: 'two mappings for clicks',
      dryRun: false,
    });
    // Probes until one arrives mapped the new way: the translator has the two mappings.
    for (let n = 500; !bodies(custom).some((b) => b['all'] === 'Probe'); n++) {
      await publishEvents(kafka, eventsTopic, [event(n, { event: 'Probe' })], metadata);
      await waitFor(() => bodies(custom).some((b) => b['all'] === 'Probe'), 3000, 'a probe').catch(() => undefined);
    }
    // Probes published while the translator was slow to answer may still arrive: wait until a
    // second passes without a request, so none lands among the click's.
    for (let seen = -1; seen !== custom.requests.length;) {
      seen = custom.requests.length;
      await new Promise((r) => setTimeout(r, 1000));
    }
    custom.reset();
    // The first of the click's two requests (whichever comes first) answers 503; the other goes through.
    custom.failNext(1, { status: 503 });
    const click = event(400, { event: 'Clicked' });
    await publishEvents(kafka, eventsTopic, [click], metadata);
    await waitFor(() => custom.deliveries.length >= 2, 30000, 'the failed mapping retried and delivered');
    // Longer than a retry tier could take to send the delivered one again, were it resent.
    await new Promise((r) => setTimeout(r, 1500));
    // Three requests: the one refused (the emulator does not read its body), the one delivered, and
    // the retry, which sent only the other mapping's request.
    const [, delivered, retried] = custom.requests;
    expect(custom.requests).toHaveLength(3);
    expect(retried?.body).not.toBe(delivered?.body);
    expect(bodies(custom)).toHaveLength(2);
    expect(bodies(custom)).toEqual(
      expect.arrayContaining([
        { event: 'click', messageId: click.messageId },
        { all: 'Clicked', id: click.messageId },
      ]),
    );
  }, 60000);
});
