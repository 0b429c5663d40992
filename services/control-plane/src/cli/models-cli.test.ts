// Reverse ETL models through the `manifold` CLI against a real control plane (FerretDB).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
