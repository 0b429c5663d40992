// Quarantine replay end to end: a plan blocks unplanned events, which go to the quarantine topic
// and not to a webhook destination (emulator); the plan is changed to allow one of the names; a
// replay of that name (CLI, `plans replay-quarantine --event`) sends those on once; a second
// replay of every event sends nothing twice (the translator refuses the messageIds it delivered)
// and counts the event the plan still blocks, which stays quarantined.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebhookEmulator } from '@manifold/emulators';
import type { RunningIngestion } from '@manifold/ingestion';
import type { QuarantineReplay } from '@manifold/proto';
import { uniqueName } from '@manifold/testing';
import {
  eventually,
  startOperationsStack,
  type OperationsStack,
} from '../../services/control-plane/src/test-support/operations-stack';
import { startStackIngestion } from '../stack-ingestion';

const ADMIN_TOKEN = 'quarantine-e2e-admin-token-012345';

describe('quarantine replay end to end', () => {
  let stack: OperationsStack;
  let ingestion: RunningIngestion;
  let hook: WebhookEmulator;
  let dir: string;
  let writeKey = '';
  let sourceId = '';
  let planId = '';
  const slug = `quar${uniqueName('e2e')
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(-10)}`;

  const rules = (planned: string) =>
    [
      'events:',
      '  Order Completed: { type: object, properties: { orderId: { type: string } } }',
      planned,
      'policies: { unplannedEvents: block }',
      '',
    ].join('\n');

  const savePlan = async (planned: string, ...more: string[]) => {
    const file = join(dir, 'plan.yaml');
    await writeFile(file, rules(planned));
    const saved = await stack.cli('--json', 'plans', 'save', 'quarantined', 'Web plan', '--rules', file, ...more);
    expect(saved.err).toBe('');
    return JSON.parse(saved.out) as { id: string; version: number };
  };

  const send = async (batch: Array<Record<string, unknown>>) => {
    const response = await fetch(`${ingestion.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ writeKey, batch }),
    });
    expect(response.status).toBe(200);
  };

  /** Every delivery's messageId, once the one named has arrived. */
  const deliveredThrough = (messageId: string) =>
    eventually(
      async () => hook.deliveries.map((d) => String((d.body as Record<string, unknown>)['messageId'])),
      (ids) => ids.includes(messageId),
      60_000,
    );

  const replay = async (...options: string[]): Promise<QuarantineReplay & Record<string, unknown>> => {
    const r = await stack.cli('--json', 'plans', 'replay-quarantine', 'quarantined', slug, '--wait', ...options);
    expect(r).toMatchObject({ code: 0, err: '' });
    return JSON.parse(r.out) as QuarantineReplay & Record<string, unknown>;
  };

  beforeAll(async () => {
    hook = await new WebhookEmulator().start();
    stack = await startOperationsStack();
    const { client } = stack.cp;
    await client.workspaces.createWorkspace({ slug: 'quarantined', name: 'Q', ownerEmail: 'o@quarantined.test' });
    const source = await client.sources.createSource({
      workspace: 'quarantined',
      slug,
      name: 'Web',
      type: 'javascript',
      category: 'website',
      environment: 'prod',
    });
    writeKey = source.writeKeys[0]!.key;
    sourceId = source.id;
    const destination = await client.destinations.createDestination({
      workspace: 'quarantined',
      name: 'Hook',
      catalogId: 'webhook',
      settings: { url: `${hook.baseUrl}/in` },
      sources: [slug],
    });
    dir = await mkdtemp(join(tmpdir(), 'quarantine-e2e-'));
    planId = (await savePlan('', '--sources', sourceId)).id;
    await eventually(
      async () =>
        Boolean(stack.configView.destination(destination.id)) &&
        stack.configView.sourceForWriteKey(writeKey)?.trackingPlan?.version === 1,
      (ready) => ready,
      30_000,
    );
    ingestion = await startStackIngestion(stack, 'quarantine-e2e-ingestion', ADMIN_TOKEN);
  }, 120_000);

  afterAll(async () => {
    await ingestion?.close();
    await stack?.stop();
    await hook?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('sends blocked events on once the plan allows them, once, and leaves the rest quarantined', async () => {
    // One user: one partition, so an event sent last arrives after the others everywhere.
    const track = (messageId: string, event: string) => ({ type: 'track', userId: 'u1', event, messageId });
    await send([
      track('q-cart-1', 'Cart Viewed'),
      track('q-cart-2', 'Cart Viewed'),
      track('q-secret', 'Secret Event'),
      track('ok-1', 'Order Completed'),
    ]);
    const before = await deliveredThrough('ok-1');
    expect(before.filter((id) => id.startsWith('q-'))).toEqual([]);

    // The plan now lists Cart Viewed; Secret Event stays unplanned, so blocked.
    await savePlan('  Cart Viewed: { type: object }', '--id', planId, '--sources', sourceId);

    const first = await replay('--event', 'Cart Viewed');
    expect(first).toMatchObject({ status: 'done', matched: 2, released: 2, still_blocked: 0, plan: `${planId} v2` });
    const afterFirst = await deliveredThrough('q-cart-2');
    expect(afterFirst.filter((id) => id.startsWith('q-')).sort()).toEqual(['q-cart-1', 'q-cart-2']);

    const second = await replay();
    expect(second).toMatchObject({ status: 'done', matched: 3, released: 2, still_blocked: 1 });
    // Sent after the second replay's events, on their partition: once it is delivered, they were read.
    await send([track('ok-2', 'Order Completed')]);
    const afterSecond = await deliveredThrough('ok-2');
    expect(afterSecond.filter((id) => id.startsWith('q-')).sort()).toEqual(['q-cart-1', 'q-cart-2']);

    const { replays } = await stack.cp.client.trackingPlans.listQuarantineReplays({ workspace: 'quarantined' });
    expect(replays.map((r) => [r.eventName, r.released, r.stillBlocked])).toEqual([
      ['', 2, 1],
      ['Cart Viewed', 2, 0],
    ]);
  }, 180_000);
});
