// Tracking plans end to end: a plan saved with the CLI on a real control plane reaches ingestion
// through the config stream; an unplanned event it blocks never reaches the webhook destination
// (emulator) nor the PostgreSQL warehouse, and goes to the quarantine topic; a violation the plan
// allows reaches both, shown in the debugger. Then a quarantine replay: the plan changed to allow
// one of the blocked names, a replay of that name (`plans replay-quarantine --event`) delivers those
// events once to both; a second replay of everything delivers nothing twice (the translator refuses
// messageIds it delivered, the warehouse merges on them) and counts what the plan still blocks.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebhookEmulator } from '@manifold/emulators';
import { EVENT_HEADERS } from '@manifold/events';
import type { RunningIngestion } from '@manifold/ingestion';
import type { QuarantineReplay } from '@manifold/proto';
import { readTopicUntil, requirePostgres, testInfrastructure, uniqueName } from '@manifold/testing';
import { Client } from 'pg';
import {
  eventually,
  startOperationsStack,
  type OperationsStack,
} from '../../services/control-plane/src/test-support/operations-stack';
import { startStackIngestion } from '../stack-ingestion';

const ADMIN_TOKEN = 'plans-e2e-admin-token-0123456789';
const { warehousePostgresUrl } = testInfrastructure();

describe('tracking plans end to end', () => {
  let stack: OperationsStack;
  let ingestion: RunningIngestion;
  let hook: WebhookEmulator;
  let dir: string;
  let writeKey = '';
  let sourceId = '';
  let planId = '';
  const slug = `plans${uniqueName('e2e')
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(-10)}`;

  /** Saves the plan (its next version once saved): Order Completed, the events named, the rest blocked. */
  const savePlan = async (alsoPlanned: string[]): Promise<string> => {
    const rules = join(dir, 'plan.yaml');
    await writeFile(
      rules,
      [
        'events:',
        '  Order Completed:',
        '    type: object',
        '    properties:',
        '      orderId: { type: string }',
        '      total: { type: number }',
        '    required: [orderId]',
        ...alsoPlanned.map((name) => `  ${name}: { type: object }`),
        'policies:',
        '  unplannedEvents: block',
        '  violations: allow',
        '',
      ].join('\n'),
    );
    const saved = await stack.cli(
      '--json',
      'plans',
      'save',
      'planned',
      'Web plan',
      '--rules',
      rules,
      '--sources',
      sourceId,
      ...(planId ? ['--id', planId] : []),
    );
    expect(saved.err).toBe('');
    return (JSON.parse(saved.out) as { id: string }).id;
  };

  const send = async (batch: Array<Record<string, unknown>>) => {
    const response = await fetch(`${ingestion.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ writeKey, batch }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ success: true });
  };

  /** Every messageId the webhook destination got, once the one named has arrived. */
  const deliveredThrough = (messageId: string) =>
    eventually(
      async () => hook.deliveries.map((d) => String((d.body as Record<string, unknown>)['messageId'])),
      (ids) => ids.includes(messageId),
      60_000,
    );

  /** The warehouse's track ids, once the one named is loaded. */
  const loadedThrough = async (messageId: string) => {
    const pg = new Client({ connectionString: warehousePostgresUrl });
    await pg.connect();
    try {
      const rows = await eventually(
        async () =>
          ((await pg.query(`SELECT id FROM "${slug}".tracks ORDER BY id`).catch(() => ({ rows: [] }))).rows ??
            []) as Array<{ id: string }>,
        (all) => all.some((r) => r.id === messageId),
        60_000,
      );
      return rows.map((r) => r.id);
    } finally {
      await pg.end();
    }
  };

  beforeAll(async () => {
    await requirePostgres(warehousePostgresUrl);
    hook = await new WebhookEmulator().start();
    stack = await startOperationsStack({ warehouses: true });
    const { client } = stack.cp;
    await client.workspaces.createWorkspace({ slug: 'planned', name: 'Planned', ownerEmail: 'o@planned.test' });
    const source = await client.sources.createSource({
      workspace: 'planned',
      slug,
      name: 'Web',
      type: 'javascript',
      category: 'website',
      environment: 'prod',
    });
    writeKey = source.writeKeys[0]!.key;
    sourceId = source.id;
    const destination = await client.destinations.createDestination({
      workspace: 'planned',
      name: 'Hook',
      catalogId: 'webhook',
      settings: { url: `${hook.baseUrl}/in` },
      sources: [slug],
    });
    const warehouse = await client.destinations.createDestination({
      workspace: 'planned',
      name: 'Postgres',
      catalogId: 'postgres',
      settings: { url: warehousePostgresUrl },
      sources: [slug],
      syncIntervalSeconds: 1,
    });

    dir = await mkdtemp(join(tmpdir(), 'plans-e2e-'));
    planId = await savePlan([]);

    await eventually(
      async () =>
        Boolean(stack.configView.destination(destination.id)) &&
        stack.configView.warehouses().some((w) => w.id === warehouse.id) &&
        stack.configView.sourceForWriteKey(writeKey)?.trackingPlan?.version === 1,
      (ready) => ready,
      30_000,
    );
    ingestion = await startStackIngestion(stack, 'plans-e2e-ingestion', ADMIN_TOKEN);
  }, 120_000);

  afterAll(async () => {
    await ingestion?.close();
    await stack?.stop();
    await hook?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    const pg = new Client({ connectionString: warehousePostgresUrl });
    await pg.connect();
    await pg.query(`DROP SCHEMA IF EXISTS "${slug}" CASCADE`).catch(() => undefined);
    await pg.end();
  });

  it('keeps blocked events out of destinations and warehouses, and lets allowed violations through', async () => {
    // One user: one partition, so the last event arrives after the others everywhere.
    await send([
      { type: 'track', userId: 'u1', event: 'Order Completed', messageId: 'e2e-ok', properties: { orderId: 'o1' } },
      { type: 'track', userId: 'u1', event: 'Hacked Event', messageId: 'e2e-blocked', properties: { x: 1 } },
      {
        type: 'track',
        userId: 'u1',
        event: 'Order Completed',
        messageId: 'e2e-allowed',
        properties: { total: 'ten' },
      },
    ]);

    const delivered = await deliveredThrough('e2e-allowed');
    expect(delivered).toContain('e2e-ok');
    expect(delivered).not.toContain('e2e-blocked');
    expect((await loadedThrough('e2e-allowed')).sort()).toEqual(['e2e-allowed', 'e2e-ok']);

    const quarantined = await readTopicUntil(stack.kafka, stack.names.quarantine, (all) => all.length > 0);
    expect(quarantined.map((m) => m.headers[EVENT_HEADERS.messageId])).toEqual(['e2e-blocked']);

    const shown = await fetch(`${ingestion.url}/debugger/sources/${sourceId}/events`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const { events } = (await shown.json()) as { events: Array<Record<string, unknown>> };
    expect(events.find((e) => e['messageId'] === 'e2e-blocked')).toMatchObject({
      status: 'blocked',
      plan: { blocked: true, violations: [{ rule: 'unplanned_event' }] },
    });
    expect(events.find((e) => e['messageId'] === 'e2e-allowed')).toMatchObject({
      status: 'accepted',
      plan: {
        blocked: false,
        violations: [
          { rule: 'required', path: '/orderId' },
          { rule: 'type', path: '/total' },
        ],
      },
    });
  }, 120_000);

  it('replays quarantined events once the plan allows them, once, and leaves the rest quarantined', async () => {
    const track = (messageId: string, event: string) => ({
      type: 'track',
      userId: 'u1',
      event,
      messageId,
      properties: { orderId: messageId },
    });
    await send([
      track('q-cart-1', 'Cart Viewed'),
      track('q-cart-2', 'Cart Viewed'),
      track('q-secret', 'Secret Event'),
      track('ok-1', 'Order Completed'),
    ]);
    expect((await deliveredThrough('ok-1')).filter((id) => id.startsWith('q-'))).toEqual([]);

    // The plan now lists Cart Viewed; Secret Event (and Hacked Event, above) stay unplanned: blocked.
    expect(await savePlan(['Cart Viewed'])).toBe(planId);
    const replay = async (...options: string[]) => {
      const r = await stack.cli('--json', 'plans', 'replay-quarantine', 'planned', slug, '--wait', ...options);
      expect(r).toMatchObject({ code: 0, err: '' });
      return JSON.parse(r.out) as QuarantineReplay & Record<string, unknown>;
    };
    const first = await replay('--event', 'Cart Viewed');
    expect(first).toMatchObject({ status: 'done', matched: 2, released: 2, still_blocked: 0, plan: `${planId} v2` });
    const replayed = (ids: string[]) => ids.filter((id) => id.startsWith('q-')).sort();
    expect(replayed(await deliveredThrough('q-cart-2'))).toEqual(['q-cart-1', 'q-cart-2']);

    const second = await replay();
    expect(second).toMatchObject({ status: 'done', matched: 4, released: 2, still_blocked: 2 });
    // Sent after the second replay's events, on their partition: once it is delivered, they were read.
    await send([track('ok-2', 'Order Completed')]);
    expect(replayed(await deliveredThrough('ok-2'))).toEqual(['q-cart-1', 'q-cart-2']);
    expect(replayed(await loadedThrough('ok-2'))).toEqual(['q-cart-1', 'q-cart-2']);

    const { replays } = await stack.cp.client.trackingPlans.listQuarantineReplays({ workspace: 'planned' });
    expect(replays.map((r) => [r.eventName, r.released, r.stillBlocked])).toEqual([
      ['', 2, 2],
      ['Cart Viewed', 2, 0],
    ]);
  }, 180_000);
});
