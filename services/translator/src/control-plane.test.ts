// The translator on the real control plane, in-process: configuration through the config stream
// (decrypted settings, enable/disable taking effect), and its delivery reports aggregated by the
// control plane's report consumer into GetDeliveryStats.
import type { ConfigStreamClient } from '@manifold/config-client';
import { WebhookEmulator } from '@manifold/emulators';
import { encodeEventMessage } from '@manifold/events';
import type { KafkaClient } from '@manifold/kafka';
import type { Harness } from '../../control-plane/src/test-support/harness';
import { trackEvent, waitFor } from './test-support/harness';
import { startTranslatorOnControlPlane, type TranslatorOnControlPlane } from './test-support/with-control-plane';

describe('translator with the control plane', () => {
  let stack: TranslatorOnControlPlane;
  let cp: Harness;
  let hook: WebhookEmulator;
  let kafka: KafkaClient;
  let configView: ConfigStreamClient;
  let eventsTopic: string;

  beforeAll(async () => {
    hook = await new WebhookEmulator({ sharedSecret: 'cp-secret' }).start();
    // The product catalog (the real destinations), and the report consumer reading what this
    // translator reports: both under the test's own topic prefix.
    stack = await startTranslatorOnControlPlane('translator-cp');
    ({ cp, kafka, configView, eventsTopic } = stack);
  }, 60000);

  afterAll(async () => {
    await stack?.close();
    await hook?.close();
  });

  async function publish(sourceId: string, workspaceId: string, n: number): Promise<string> {
    const event = trackEvent(n);
    const producer = await kafka.producer();
    await producer.send(eventsTopic, [encodeEventMessage(event, { sourceId, workspaceId })]);
    await producer.disconnect();
    return event.messageId;
  }

  async function stats(destination: string) {
    return cp.client.destinations.getDeliveryStats({ workspace: 'shop', destination });
  }

  it('delivers with the settings the control plane holds, stops when the instance is disabled, and reports both', async () => {
    const ws = await cp.client.workspaces.createWorkspace({
      slug: 'shop',
      name: 'Shop',
      ownerEmail: 'boss@shop.test',
      members: [],
    });
    const web = await cp.client.sources.createSource({
      workspace: 'shop',
      slug: 'web',
      name: 'Web',
      environment: 'prod',
      type: 'javascript',
      category: 'website',
    });
    const created = await cp.client.destinations.createDestination({
      workspace: 'shop',
      name: 'Hook',
      catalogId: 'webhook',
      // The secret is sealed at rest; the config stream gives the data plane the clear value.
      settings: { url: `${hook.baseUrl}/in`, sharedSecret: 'cp-secret' },
      sources: ['web'],
      syncIntervalSeconds: 0,
    });
    await waitFor(() => configView.destination(created.id)?.enabled === true, 10000, 'the destination in the stream');

    const first = await publish(web.id, ws.id, 1);
    await waitFor(() => hook.deliveries.length >= 1, 20000, 'the delivery');
    expect((hook.deliveries[0]?.body as { messageId: string }).messageId).toBe(first);

    await cp.client.destinations.updateDestination({
      workspace: 'shop',
      destination: created.id,
      enabled: false,
      reason: 'test',
      dryRun: false,
    });
    await waitFor(() => configView.destination(created.id)?.enabled === false, 10000, 'the disabled destination');
    await publish(web.id, ws.id, 2);

    // The report consumer aggregates about once a second: poll until both outcomes are in.
    let latest = await stats(created.id);
    const deadline = Date.now() + 20000;
    while (!(latest.delivered >= 1 && latest.filtered >= 1) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      latest = await stats(created.id);
    }
    expect(latest).toMatchObject({ destinationId: created.id, delivered: 1, filtered: 1, failed: 0 });
    expect(latest.filteredByReason).toEqual([{ reason: 'DESTINATION_DISABLED', count: 1 }]);
    expect(latest.latencyP50Ms).toBeGreaterThanOrEqual(0);
    expect(hook.deliveries).toHaveLength(1);
  }, 60000);
});
