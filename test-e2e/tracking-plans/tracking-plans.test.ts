// Tracking plans end to end: a plan saved with the CLI on a real control plane reaches ingestion
// through the config stream; an unplanned event it blocks never reaches the webhook destination
// (emulator) nor the PostgreSQL warehouse, and goes to the quarantine topic; a violation the plan
// allows reaches both, shown in the debugger.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebhookEmulator } from '@manifold/emulators';
import { EVENT_HEADERS } from '@manifold/events';
import type { RunningIngestion } from '@manifold/ingestion';
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
  const slug = `plans${uniqueName('e2e')
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(-10)}`;

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
    );
    expect(saved.err).toBe('');

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
    const response = await fetch(`${ingestion.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // One user: one partition, so the last event arrives after the others everywhere.
      body: JSON.stringify({
        writeKey,
        batch: [
          { type: 'track', userId: 'u1', event: 'Order Completed', messageId: 'e2e-ok', properties: { orderId: 'o1' } },
          { type: 'track', userId: 'u1', event: 'Hacked Event', messageId: 'e2e-blocked', properties: { x: 1 } },
          {
            type: 'track',
            userId: 'u1',
            event: 'Order Completed',
            messageId: 'e2e-allowed',
            properties: { total: 'ten' },
          },
        ],
      }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ success: true });

    const delivered = await eventually(
      async () => hook.deliveries.map((d) => (d.body as Record<string, unknown>)['messageId']),
      (ids) => ids.includes('e2e-allowed'),
      60_000,
    );
    expect(delivered).toContain('e2e-ok');
    expect(delivered).not.toContain('e2e-blocked');

    const pg = new Client({ connectionString: warehousePostgresUrl });
    await pg.connect();
    try {
      const tracks = await eventually(
        async () =>
          ((await pg.query(`SELECT id, event FROM "${slug}".tracks ORDER BY id`).catch(() => ({ rows: [] }))).rows ??
            []) as Array<{ id: string; event: string }>,
        (rows) => rows.some((r) => r.id === 'e2e-allowed'),
        60_000,
      );
      expect(tracks.map((r) => r.id).sort()).toEqual(['e2e-allowed', 'e2e-ok']);
    } finally {
      await pg.end();
    }

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
});
