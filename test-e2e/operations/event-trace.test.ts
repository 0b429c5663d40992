// Per-event trace: one messageId delivered to two webhooks (one attempt refused first), dropped by
// a third's filter, and loaded into a PostgreSQL warehouse; the trace shows all of it, masked. The
// control plane, translator and warehouse loader run in-process (the control plane's operations stack).
import { WebhookEmulator } from '@manifold/emulators';
import type { SpecEvent } from '@manifold/events';
import { testInfrastructure, uniqueName } from '@manifold/testing';
import { Client } from 'pg';
import {
  eventually,
  startOperationsStack,
  type OperationsStack,
} from '../../services/control-plane/src/test-support/operations-stack';

const SECRET = 'trace-signing-secret-7';

function event(name: string): SpecEvent {
  const now = new Date().toISOString();
  return {
    type: 'track',
    event: name,
    messageId: `tr-${Math.random().toString(36).slice(2, 12)}`,
    userId: 'user-trace',
    properties: { plan: 'pro' },
    timestamp: now,
    receivedAt: now,
    context: {},
    integrations: {},
  };
}

describe('per-event trace', () => {
  let stack: OperationsStack;
  const hooks: Record<string, WebhookEmulator> = {};
  const slug = uniqueName('trace')
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(0, 30);
  const { warehousePostgresUrl } = testInfrastructure();
  let sourceId = '';
  let workspaceId = '';

  beforeAll(async () => {
    for (const name of ['one', 'two', 'filtered'])
      hooks[name] = await new WebhookEmulator({ sharedSecret: SECRET }).start();
    stack = await startOperationsStack({ warehouses: true });
    const { client } = stack.cp;
    workspaceId = (await client.workspaces.createWorkspace({ slug: 'tr', name: 'Trace', ownerEmail: 'o@tr.test' })).id;
    sourceId = (
      await client.sources.createSource({
        workspace: 'tr',
        slug,
        name: 'Web',
        type: 'javascript',
        environment: 'prod',
        category: 'website',
      })
    ).id;
    const hook = (name: string) =>
      client.destinations.createDestination({
        workspace: 'tr',
        name,
        catalogId: 'webhook',
        settings: { url: `${hooks[name]!.baseUrl}/in`, sharedSecret: SECRET },
        sources: [slug],
      });
    const created = [await hook('one'), await hook('two'), await hook('filtered')];
    await client.destinations.setDestinationFilters({
      workspace: 'tr',
      destination: 'filtered',
      filters: [
        { sourceId, title: 'No trace events', if: 'event = "Traced"', actions: [{ type: 'DROP' }], enabled: true },
      ],
    });
    const warehouse = await client.destinations.createDestination({
      workspace: 'tr',
      name: 'Postgres',
      catalogId: 'postgres',
      settings: { url: warehousePostgresUrl },
      sources: [slug],
      syncIntervalSeconds: 1,
    });
    await eventually(
      async () =>
        [...created, warehouse].every(
          (d) => stack.configView.destination(d.id) ?? stack.configView.warehouses().some((w) => w.id === d.id),
        ),
      (ready) => ready,
    );
    await eventually(
      async () => stack.configView.destination(created[2]!.id)?.filters.length,
      (n) => n === 1,
    );
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await Promise.all(Object.values(hooks).map((h) => h.close()));
    const pg = new Client({ connectionString: warehousePostgresUrl });
    await pg.connect();
    await pg.query(`DROP SCHEMA IF EXISTS "${slug}" CASCADE`).catch(() => undefined);
    await pg.end();
  });

  it('shows when and where the event was received, every destination and the warehouse load', async () => {
    hooks['two']!.failNext(1, { status: 503, body: { error: `busy, ${SECRET}` } });
    const traced = event('Traced');
    await stack.publish([traced], { sourceId, workspaceId });

    const trace = await eventually(
      () => stack.cp.client.traces.getEventTrace({ workspace: 'tr', messageId: traced.messageId }),
      (t) =>
        t.destinations.length === 3 &&
        t.destinations.every((d) => d.outcome !== 'retrying') &&
        t.warehouses.some((w) => w.status === 'loaded'),
      60_000,
    );
    expect(trace).toMatchObject({ found: true, sourceId, sourceName: 'Web', eventType: 'track', eventName: 'Traced' });
    expect(trace.topic).toBe(stack.names.events);
    expect(trace.receivedAt?.toISOString()).toBe(traced.receivedAt);
    expect(trace.retentionMs).toBe(7 * 86_400_000);
    const byName = Object.fromEntries(trace.destinations.map((d) => [d.name, d]));
    expect(byName['one']!.steps.map((s) => [s.outcome, s.attempt])).toEqual([['delivered', 1]]);
    const one = byName['one']!.steps[0]!;
    expect(one.request).toMatchObject({ method: 'POST', url: `${hooks['one']!.baseUrl}/in` });
    // Which of the instance's mappings made the request; a filtered step made none.
    expect(one).toMatchObject({ mappingId: 'preset-track-1', mappingName: 'Send (track)' });
    expect(byName['filtered']!.steps[0]).toMatchObject({ mappingId: '', mappingName: '' });
    // A delivered attempt keeps its request line and headers; bodies are kept where it failed.
    expect(one.request?.body).toBe('');
    expect(one.response?.status).toBe(200);
    expect(one.durationMs).toBeGreaterThanOrEqual(0);
    // Each attempt its own send time, even where its exchange is shared with other events'.
    expect(one.sentAt!.getTime()).toBeGreaterThanOrEqual(Date.parse(traced.receivedAt) - 1000);
    expect(one.sentAt!.getTime()).toBeLessThanOrEqual(Date.now());
    // The second refused the first attempt (503) and took the retry.
    expect(byName['two']!.steps.map((s) => [s.outcome, s.reason, s.attempt])).toEqual([
      ['retrying', 'http_503', 1],
      ['delivered', '', 2],
    ]);
    expect(byName['two']!.steps[0]!.response?.status).toBe(503);
    expect(byName['two']!.steps[0]!.request?.body).toContain(traced.messageId);
    expect(byName['filtered']!.steps.map((s) => [s.outcome, s.reason, s.attempt])).toEqual([
      ['filtered', 'FILTERED_BY_RULES', 0],
    ]);
    // Masked wherever the secret went (the signature header, the answer quoting it).
    expect(JSON.stringify(trace)).not.toContain(SECRET);
    expect(one.request?.headers['x-signature']).toBe('********');
    const [warehouse] = trace.warehouses;
    expect(warehouse).toMatchObject({ name: 'Postgres', status: 'loaded', loadStatus: 'success', schema: slug });
    expect(warehouse!.loadId).not.toBe('');

    // The CLI prints the same.
    const printed = await stack.cli('trace', 'tr', traced.messageId);
    expect(printed.code).toBe(0);
    expect(printed.out).toContain(`${traced.messageId}: track "Traced" from Web`);
    expect(printed.out).toMatch(
      // The step names the mapping whose request it shows (a new instance's presets are its mappings).
      /one \(Webhook\): delivered\n.*delivered \(attempt 1\) mapping "Send \(track\)"\s+POST http:\/\/127\.0\.0\.1:\d+\/in → 200 in \d+ ms/,
    );
    expect(printed.out).toMatch(/retrying http_503 \(attempt 1\).* → 503/);
    expect(printed.out).toContain('filtered FILTERED_BY_RULES');
    expect(printed.out).toMatch(/Postgres \(warehouse\): loaded, load \S+ \(success/);
    const withBodies = await stack.cli('trace', 'tr', traced.messageId, '--bodies');
    expect(withBodies.out).toContain('      > x-signature: ********\n');
    expect(withBodies.out).toContain('      < 503\n');
    expect(withBodies.out).not.toContain(SECRET);

    // The client sends it again: each instance that delivered it records the duplicate it refused.
    await stack.publish([traced], { sourceId, workspaceId });
    const again = await eventually(
      () => stack.cp.client.traces.getEventTrace({ workspace: 'tr', messageId: traced.messageId }),
      (t) => t.destinations.find((d) => d.name === 'one')!.steps.length === 2,
      60_000,
    );
    expect(again.destinations.find((d) => d.name === 'one')!.steps.map((s) => [s.outcome, s.reason])).toEqual([
      ['delivered', ''],
      ['filtered', 'DUPLICATE_MESSAGE_ID'],
    ]);

    // An unknown messageId: nothing found, no error.
    const unknown = await stack.cp.client.traces.getEventTrace({ workspace: 'tr', messageId: 'never-sent' });
    expect(unknown).toMatchObject({ found: false, destinations: [], warehouses: [] });
    expect((await stack.cli('trace', 'tr', 'never-sent')).out).toBe(
      'no trace of never-sent: no destination recorded it in the last 7 days\n',
    );
  }, 120_000);
});
