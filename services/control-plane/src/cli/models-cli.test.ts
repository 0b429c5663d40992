// Reverse ETL models through the `manifold` CLI against a real control plane (FerretDB) and, for
// previews and deletions, a real PostgreSQL warehouse.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePostgres, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { createEngine } from '@manifold/warehouse';
import { runWarehouseSql } from '@manifold/warehouse/testing';
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
    expect(JSON.parse(created.out)).toMatchObject({
      name: 'Customers',
      schedule: 'cron 0 6 * * *',
      enabled: true,
      // The CLI's actor (MANIFOLD_ACTOR).
      created_by: 'cli-test',
    });

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
    // The failed rows name their destination (by name, with its id), as everywhere else.
    const [connection] = JSON.parse((await cli('--json', 'models', 'connections', 'acme', 'Customers')).out) as Array<{
      destination_id: string;
    }>;
    const hook = connection?.destination_id as string;
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
      { destinationId: hook, workspaceId: 'acme', outcome: 'delivered', count: 3, at, reverseEtl: tag('added') },
      { destinationId: hook, workspaceId: 'acme', outcome: 'delivered', count: 1, at, reverseEtl: tag('updated') },
      {
        destinationId: hook,
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
    expect(table.out).toMatch(
      new RegExp(`c-17\\s+added\\s+Hook\\s+${hook}\\s+dead_lettered\\s+http_422\\s+HTTP 422: email is invalid`),
    );
    const [json] = JSON.parse((await cli('--json', 'models', 'runs', 'acme', 'Customers')).out) as Array<
      Record<string, unknown>
    >;
    expect(json).toMatchObject({
      delivered: '3/1/0',
      dead_lettered: '1/0/0',
      expected_deliveries: 5,
      missing: 0,
      failed_rows: [
        {
          key: 'c-17',
          change_kind: 'added',
          destination: 'Hook',
          destination_id: hook,
          outcome: 'dead_lettered',
          reason: 'http_422',
        },
      ],
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

// Preview, disconnect and delete on a real PostgreSQL warehouse: the model's tables there are made
// by the engine a loader runs models with, and must be gone after `models delete`.
describe('manifold CLI: previewing, disconnecting and deleting Reverse ETL models (PostgreSQL)', () => {
  const { warehousePostgresUrl } = testInfrastructure();
  const crm = uniqueName('crm')
    .replace(/[^a-z0-9_]/gi, '_')
    .toLowerCase();
  const engine = createEngine('postgres', { url: warehousePostgresUrl }, testLogger('models-cli')).engine;
  let h: Harness;
  let cli: ReturnType<typeof cliRunner>;

  beforeAll(async () => {
    await requirePostgres(warehousePostgresUrl);
    // A short limit so that the heavy query below is stopped soon; the others take milliseconds.
    h = await startTestControlPlane({ catalog: defaultCatalog(), previewTimeoutMs: 3000 });
    cli = cliRunner(h);
    await runWarehouseSql(
      { postgresUrl: warehousePostgresUrl },
      `CREATE SCHEMA ${crm};
       CREATE TABLE ${crm}.customers AS SELECT i AS id, 'u' || i || '@example.com' AS email FROM generate_series(1, 75) AS i`,
    );
    await h.client.workspaces.createWorkspace({ slug: 'pg', name: 'PG', ownerEmail: 'o@pg.test', members: [] });
    for (const [name, catalogId, settings] of [
      ['Warehouse', 'postgres', { url: warehousePostgresUrl }],
      ['Hook', 'webhook', { url: 'https://hooks.example.com/in' }],
      ['Other hook', 'webhook', { url: 'https://hooks.example.com/other' }],
    ] as const) {
      await h.client.destinations.createDestination({
        workspace: 'pg',
        name,
        catalogId,
        settings,
        sources: [],
        syncIntervalSeconds: catalogId === 'postgres' ? 3600 : 0,
      });
    }
  });

  afterAll(async () => {
    await runWarehouseSql({ postgresUrl: warehousePostgresUrl }, `DROP SCHEMA IF EXISTS ${crm} CASCADE`).catch(
      () => undefined,
    );
    await engine.close();
    await h?.stop();
  });

  const createModel = async (name: string) => {
    const created = await cli(
      '--json',
      'models',
      'create',
      'pg',
      name,
      '--warehouse',
      'Warehouse',
      '--sql',
      `SELECT id, email FROM ${crm}.customers ORDER BY id`,
      '--identifier',
      'id',
    );
    expect(created).toMatchObject({ code: 0, err: '' });
    return JSON.parse(created.out) as { id: string };
  };

  it('previews a saved model and a draft: the first rows and the count, with --json', async () => {
    await createModel('Preview');
    const json = await cli('--json', 'models', 'preview', 'pg', 'Preview');
    expect(json).toMatchObject({ code: 0, err: '' });
    const preview = JSON.parse(json.out) as { rows: unknown[]; rowCount: number };
    expect(preview.rowCount).toBe(75);
    expect(preview.rows).toHaveLength(50);
    expect(preview.rows[0]).toEqual({ id: 1, email: 'u1@example.com' });

    const table = await cli('models', 'preview', 'pg', 'Preview', '--limit', '2');
    expect(table.code).toBe(0);
    expect(table.out).toBe(
      ['ID  EMAIL', '1   "u1@example.com"', '2   "u2@example.com"', '75 rows in all, 2 shown', ''].join('\n'),
    );

    const draft = await cli(
      '--json',
      'models',
      'preview',
      'pg',
      '--warehouse',
      'Warehouse',
      '--sql',
      'SELECT 1 AS one',
    );
    expect(JSON.parse(draft.out)).toEqual({ rows: [{ one: 1 }], rowCount: 1 });
  });

  it('says why a preview failed: a bad query, one past the time limit, a bad limit', async () => {
    const bad = await cli(
      'models',
      'preview',
      'pg',
      '--warehouse',
      'Warehouse',
      '--sql',
      `SELECT * FROM ${crm}.nowhere`,
    );
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/the model's query failed: .*nowhere/);
    const slow = await cli('models', 'preview', 'pg', '--warehouse', 'Warehouse', '--sql', 'SELECT pg_sleep(60) AS s');
    expect(slow.code).toBe(1);
    expect(slow.err).toContain("the query ran longer than the preview's limit of 3 s and was stopped");
    const limit = await cli('models', 'preview', 'pg', 'Preview', '--limit', '51');
    expect(limit).toMatchObject({ code: 1 });
    expect(limit.err).toContain('--limit must be 1 to 50');
    const nothing = await cli('models', 'preview', 'pg', '--sql', 'SELECT 1');
    expect(nothing.err).toContain('name a model, or give --sql and --warehouse for a draft');
  });

  it('disconnects a destination by its name, or a connection by its id when several go there', async () => {
    await createModel('Disconnect');
    const fields = join(tmpdir(), `${uniqueName('fields')}.json`);
    await writeFile(fields, JSON.stringify({ data: { email: { '@path': '$.properties.email' } } }));
    const connect = async (destination: string, kinds: string) => {
      const result = await cli(
        '--json',
        'models',
        'connect',
        'pg',
        'Disconnect',
        destination,
        '--kinds',
        kinds,
        '--action',
        'send',
        '--fields',
        fields,
      );
      expect(result).toMatchObject({ code: 0, err: '' });
      return JSON.parse(result.out) as { id: string };
    };
    const other = await connect('Other hook', 'added');
    const first = await connect('Hook', 'added');
    const second = await connect('Hook', 'deleted');

    const ambiguous = await cli('models', 'disconnect', 'pg', 'Disconnect', 'Hook');
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.err).toContain(`Disconnect has 2 connections to Hook: name one by its id (`);
    expect(ambiguous.err).toContain(first.id);

    const byId = await cli('--json', 'models', 'disconnect', 'pg', 'Disconnect', second.id);
    expect(byId).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(byId.out)).toMatchObject({ disconnected: 'connection', id: second.id });
    const byName = await cli('models', 'disconnect', 'pg', 'Disconnect', 'Other hook');
    expect(byName).toMatchObject({ code: 0, err: '' });
    expect(byName.out).toContain(`disconnected ${other.id}`);
    const left = await cli('--json', 'models', 'connections', 'pg', 'Disconnect');
    expect((JSON.parse(left.out) as Array<{ id: string }>).map((c) => c.id)).toEqual([first.id]);
    // The destination instances follow: the connection's mapping is gone from the one disconnected.
    const otherHook = await h.client.destinations.getDestination({ workspace: 'pg', destination: 'Other hook' });
    expect(otherHook.mappings.map((m) => m.id)).not.toContain(`retl-${other.id}`);
    const none = await cli('models', 'disconnect', 'pg', 'Disconnect', 'Other hook');
    expect(none.code).toBe(1);
    expect(none.err).toContain('Disconnect has no connection to Other hook');
  });

  it('deletes a model with its connections and its tables in the warehouse', async () => {
    const model = await createModel('Delete');
    const query = { modelId: model.id, sql: `SELECT id, email FROM ${crm}.customers`, identifierColumn: 'id' };
    // A completed run, as a loader's runner makes it: the result becomes the model's snapshot.
    expect((await engine.models.prepare(query)).firstRun).toBe(true);
    await engine.models.promote(model.id);
    expect((await engine.models.prepare(query)).firstRun).toBe(false);
    await engine.models.discard(model.id);

    const deleted = await cli('--json', 'models', 'delete', 'pg', 'Delete');
    expect(deleted).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(deleted.out)).toEqual({ deleted: 'model', workspace: 'pg', id: model.id, name: 'Delete' });
    expect((await cli('models', 'show', 'pg', 'Delete')).code).toBe(1);
    // The snapshot is gone: the same id would start from nothing.
    expect((await engine.models.prepare(query)).firstRun).toBe(true);
    await engine.models.reset(model.id);
    const again = await cli('models', 'delete', 'pg', 'Delete');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/model.*Delete/i);
  });
});
