// `manifold apply` with Reverse ETL models, against a real control plane (FerretDB): a model and
// its connections created with the warehouse and destination the same file declares, a second
// apply with nothing to do (the destination's own mappings and sources left to the model), a
// change applied in place, and --prune removing what the file no longer lists.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCatalog } from '../default-catalog';
import { cliRunner, startTestControlPlane, type Harness } from '../test-support/harness';

describe('manifold apply: Reverse ETL models', () => {
  let h: Harness;
  let dir: string;
  let cli: ReturnType<typeof cliRunner>;

  beforeAll(async () => {
    h = await startTestControlPlane({ catalog: defaultCatalog() });
    cli = cliRunner(h);
    dir = await mkdtemp(join(tmpdir(), 'manifold-apply-models-'));
  });

  afterAll(async () => {
    await h?.stop();
  });

  const file = (models: string[]) =>
    [
      'workspace: { slug: crm, name: CRM, owner: owner@crm.test }',
      'destinations:',
      '  - name: Hook',
      '    catalog: webhook',
      '    settings: { url: "https://hooks.example.com/in" }',
      '    mappings:',
      '      - { id: all-tracks, name: Tracks, trigger: type = "track", action: send, fields: { data: { "@path": "$.properties" } } }',
      'warehouses:',
      '  - name: Lake',
      '    kind: duckdb',
      `    settings: { path: ${dir}/lake.duckdb }`,
      ...models,
      '',
    ].join('\n');

  const customers = (schedule: string, changes: string) => [
    'models:',
    '  - name: Customers',
    '    warehouse: Lake',
    '    sql: SELECT id, email FROM crm.customers',
    '    identifier: id',
    `    schedule: ${schedule}`,
    '    connections:',
    '      - destination: Hook',
    '        action: send',
    `        changes: ${changes}`,
    '        fields: { data: { email: { "@path": "$.properties.email" } } }',
  ];

  it('creates models with their connections, idempotently, updates and prunes them', async () => {
    const path = join(dir, 'crm.yaml');
    await writeFile(path, file(customers('{ interval: 3600 }', '[added, updated]')));
    const first = await cli('apply', '-f', path);
    expect(first).toMatchObject({ code: 0, err: '' });
    expect(first.out).toContain('+ create model Customers (Lake)');
    const [model] = (await h.client.reverseEtl.listModels({ workspace: 'crm' })).models;
    expect(model).toMatchObject({
      name: 'Customers',
      schedule: { intervalSeconds: 3600, cron: '' },
      identifierColumn: 'id',
    });
    const { connections } = await h.client.reverseEtl.listConnections({ workspace: 'crm', model: model!.id });
    expect(connections).toEqual([
      expect.objectContaining({ changeKinds: ['added', 'updated'], action: 'send', rowsPerSecond: 100 }),
    ]);
    const hook = await h.client.destinations.getDestination({ workspace: 'crm', destination: 'Hook' });
    expect(hook.mappings.map((m) => m.id)).toEqual(['all-tracks', connections[0]!.mappingId]);

    // The connection's mapping and the model as a source of Hook are not differences from the file.
    expect((await cli('apply', '-f', path)).out).toBe(`no changes: workspace crm matches ${path}\n`);

    await writeFile(path, file(customers('{ cron: "0 6 * * *" }', '[added]')));
    const changed = await cli('apply', '-f', path);
    expect(changed.out).toContain('~ update model Customers: schedule');
    expect(changed.out).toContain('~ update model connection Customers -> Hook (send): changes');
    expect((await h.client.reverseEtl.getModel({ workspace: 'crm', model: 'Customers' })).schedule?.cron).toBe(
      '0 6 * * *',
    );
    expect((await cli('apply', '-f', path)).out).toMatch(/^no changes/);

    const wrongWarehouse = join(dir, 'moved.yaml');
    await writeFile(
      wrongWarehouse,
      file(customers('{ interval: 3600 }', '[added]')).replace('warehouse: Lake', 'warehouse: Hook'),
    );
    const refused = await cli('apply', '-f', wrongWarehouse);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('model Customers runs in Lake and cannot move to Hook; create a new model');

    await writeFile(path, file([]));
    expect((await cli('apply', '-f', path)).out).toContain(
      '(not in the file, kept: model Customers; --prune deletes it)',
    );
    const pruned = await cli('apply', '-f', path, '--prune');
    expect(pruned.out).toContain('- delete model Customers');
    expect((await h.client.reverseEtl.listModels({ workspace: 'crm' })).models).toEqual([]);
    const after = await h.client.destinations.getDestination({ workspace: 'crm', destination: 'Hook' });
    expect(after.mappings.map((m) => m.id)).toEqual(['all-tracks']);
    expect(after.sourceIds).toEqual([]);
  });
});
