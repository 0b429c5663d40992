// Reverse ETL models through the `manifold` CLI against a real control plane (FerretDB).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReverseEtlStore, tallyRunDeliveries, zeroCounts, type RunDeliveryTally } from '@manifold/reverse-etl';
import { defaultCatalog } from '../default-catalog';
import { cliRunner, startTestControlPlane, type Harness } from '../test-support/harness';

describe('manifold CLI: Reverse ETL models', () => {
  let h: Harness;
  let dir: string;
  let cli: ReturnType<typeof cliRunner>;

  beforeAll(async () => {
    h = await startTestControlPlane({ catalog: defaultCatalog() });
    cli = cliRunner(h);
    dir = await mkdtemp(join(tmpdir(), 'manifold-models-'));
    await h.client.workspaces.createWorkspace({ slug: 'acme', name: 'Acme', ownerEmail: 'o@acme.test', members: [] });
    for (const [name, catalogId, settings] of [
      ['Warehouse', 'duckdb', { path: join(dir, 'w.duckdb') }],
      ['Hook', 'webhook', { url: 'https://hooks.example.com/in' }],
    ] as const) {
      await h.client.destinations.createDestination({
        workspace: 'acme',
        name,
        catalogId,
        settings,
        sources: [],
        syncIntervalSeconds: catalogId === 'duckdb' ? 3600 : 0,
      });
    }
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('creates a model, connects it, asks for a run and lists its runs', async () => {
    const created = await cli(
      '--json',
      'models',
      'create',
      'acme',
      'Customers',
      '--warehouse',
      'Warehouse',
      '--sql',
      'SELECT id, email FROM crm.customers',
      '--identifier',
      'id',
      '--cron',
      '0 6 * * *',
    );
    expect(created).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(created.out)).toMatchObject({ name: 'Customers', schedule: 'cron 0 6 * * *', enabled: true });

    const fields = join(dir, 'fields.yaml');
    await writeFile(fields, 'data:\n  email: { "@path": "$.properties.email" }\n');
    const connected = await cli(
      'models',
      'connect',
      'acme',
      'Customers',
      'Hook',
      '--kinds',
      'added,updated',
      '--action',
      'send',
      '--fields',
      fields,
      '--rate',
      '50',
    );
    expect(connected).toMatchObject({ code: 0, err: '' });
    expect(connected.out).toMatch(/change_kinds:\s+added,updated/);
    expect((await cli('models', 'connections', 'acme', 'Customers')).out).toMatch(/send\s+50\s+true/);

    expect((await cli('models', 'run', 'acme', 'Customers')).code).toBe(0);
    const runs = await cli('--json', 'models', 'runs', 'acme', 'Customers');
    expect(JSON.parse(runs.out)).toEqual([]);
    expect((await cli('models', 'list', 'acme')).out).toMatch(/Customers\s+cron 0 6 \* \* \*\s+true\s+id/);
  });

  it("lists a run's deliveries per outcome and kind, and its failed rows", async () => {
    const shown = JSON.parse((await cli('--json', 'models', 'show', 'acme', 'Customers')).out) as { id: string };
    // A run as a loader records it, its outcomes as its delivery consumer counts them.
    const records = new ReverseEtlStore(h.controlPlane.domain.store.db);
    await records.insertRun({
      id: 'run-d1',
      modelId: shown.id,
      workspaceId: 'acme',
      trigger: 'manual',
      status: 'succeeded',
      phase: 'done',
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:03.000Z',
      durationMs: 3000,
      counts: { added: 4, updated: 1, deleted: 0 },
      published: { added: 4, updated: 1, deleted: 0 },
      skipped: zeroCounts(),
      expectedDeliveries: 5,
    });
    const tag = (changeKind: 'added' | 'updated') => ({ modelId: shown.id, runId: 'run-d1', changeKind });
    const at = '2026-01-01T00:00:02.000Z';
    const tallies = tallyRunDeliveries([
      { destinationId: 'dst-1', workspaceId: 'acme', outcome: 'delivered', count: 3, at, reverseEtl: tag('added') },
      { destinationId: 'dst-1', workspaceId: 'acme', outcome: 'delivered', count: 1, at, reverseEtl: tag('updated') },
      {
        destinationId: 'dst-1',
        workspaceId: 'acme',
        outcome: 'failed',
        reason: 'http_422',
        count: 1,
        at,
        reverseEtl: tag('added'),
        failedRows: [{ key: 'c-17', message: 'HTTP 422: email is invalid' }],
      },
    ]);
    await records.recordDeliveries('run-d1', tallies.get('run-d1') as RunDeliveryTally, { partition: 0, offset: '1' });

    const table = await cli('models', 'runs', 'acme', 'Customers');
    expect(table.code).toBe(0);
    // delivered, failed, dead_lettered: added/updated/deleted each.
    expect(table.out).toMatch(
      /run-d1\s+manual\s+succeeded\s+\S+\s+3000\s+4\/4\s+1\/1\s+0\/0\s+3\/1\/0\s+0\/0\/0\s+1\/0\/0\s+0/,
    );
    expect(table.out).toContain('failed rows of run run-d1:');
    expect(table.out).toMatch(/c-17\s+added\s+dst-1\s+dead_lettered\s+http_422\s+HTTP 422: email is invalid/);
    const [json] = JSON.parse((await cli('--json', 'models', 'runs', 'acme', 'Customers')).out) as Array<
      Record<string, unknown>
    >;
    expect(json).toMatchObject({
      delivered: '3/1/0',
      dead_lettered: '1/0/0',
      expected_deliveries: 5,
      missing: 0,
      failed_rows: [{ key: 'c-17', change_kind: 'added', outcome: 'dead_lettered', reason: 'http_422' }],
    });
  });

  it('names what is wrong', async () => {
    const createBad = (...more: string[]) =>
      cli('models', 'create', 'acme', 'Bad', '--warehouse', 'Hook', '--sql', 'SELECT 1', '--identifier', 'id', ...more);
    const refused = await createBad('--every', '30', '--cron', '* * * * *');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('give --every or --cron, not both');
    const notWarehouse = await createBad();
    expect(notWarehouse.code).toBe(1);
    expect(notWarehouse.err).toContain('warehouse: Hook is not a warehouse');
  });
});
