// Reverse ETL models, connections and runs over gRPC, on a real FerretDB: validation with every
// problem named, a connection becoming its destination's mapping (and the model its source) in
// the configuration translators receive, and runs as the loaders' runners record them.
import { status } from '@grpc/grpc-js';
import { connectControlPlane } from '@manifold/proto';
import { ReverseEtlStore, zeroCounts } from '@manifold/reverse-etl';
import { defaultCatalog } from '../default-catalog';
import { grpcError, startTestControlPlane, type Harness } from '../test-support/harness';

describe('reverse ETL over gRPC (real FerretDB)', () => {
  let h: Harness;
  let warehouseId: string;
  let hookId: string;

  beforeAll(async () => {
    h = await startTestControlPlane({ catalog: defaultCatalog() });
    await h.client.workspaces.createWorkspace({ slug: 'retl', name: 'Retl', ownerEmail: 'o@retl.test', members: [] });
    warehouseId = (
      await h.client.destinations.createDestination({
        workspace: 'retl',
        name: 'Warehouse',
        catalogId: 'duckdb',
        settings: { path: '/tmp/retl-test.duckdb' },
        sources: [],
        syncIntervalSeconds: 3600,
      })
    ).id;
    hookId = (
      await h.client.destinations.createDestination({
        workspace: 'retl',
        name: 'Hook',
        catalogId: 'webhook',
        settings: { url: 'https://hooks.example.com/in' },
        sources: [],
        syncIntervalSeconds: 0,
      })
    ).id;
  });

  afterAll(async () => {
    await h?.stop();
  });

  const modelRequest = {
    workspace: 'retl',
    name: 'Customers',
    warehouse: 'Warehouse',
    sql: 'SELECT id, email FROM crm.customers',
    identifierColumn: 'id',
    schedule: { intervalSeconds: 3600, cron: '' },
    enabled: true,
    startFromNow: false,
  };

  it('creates, reads, lists and updates a model in its warehouse', async () => {
    const created = await h.client.reverseEtl.createModel(modelRequest);
    expect(created).toMatchObject({
      workspaceId: expect.any(String),
      warehouseId,
      schedule: { intervalSeconds: 3600, cron: '' },
      enabled: true,
      // The caller the harness's client names (x-manifold-actor).
      createdBy: 'tester@example.com',
    });
    expect(await h.client.reverseEtl.getModel({ workspace: 'retl', model: 'Customers' })).toEqual(created);
    // Someone else's update leaves who created it.
    const editor = connectControlPlane({
      address: h.controlPlane.address,
      token: h.token,
      actor: 'editor@example.com',
    });
    const updated = await editor.reverseEtl.updateModel({
      workspace: 'retl',
      model: created.id,
      name: 'Customers',
      sql: 'SELECT id, email, ltv FROM crm.customers',
      identifierColumn: 'id',
      schedule: { intervalSeconds: 0, cron: '0 6 * * *' },
      enabled: true,
      startFromNow: true,
    });
    editor.close();
    expect(updated).toMatchObject({
      sql: 'SELECT id, email, ltv FROM crm.customers',
      schedule: { cron: '0 6 * * *' },
      createdBy: 'tester@example.com',
    });
    expect((await h.client.reverseEtl.listModels({ workspace: 'retl' })).models.map((m) => m.id)).toContain(created.id);
  });

  it('refuses a model naming every problem, and a warehouse that is not one', async () => {
    const refused = await grpcError(
      h.client.reverseEtl.createModel({
        ...modelRequest,
        name: 'Bad',
        sql: 'SELECT 1; SELECT 2',
        identifierColumn: '',
        schedule: { intervalSeconds: 10, cron: '' },
      }),
    );
    expect(refused.code).toBe(status.INVALID_ARGUMENT);
    expect(refused.details).toBe(
      'invalid input: sql: must be one SQL statement (a trailing ; is allowed); identifier_column: is required; schedule.interval_seconds: must be at least 60',
    );
    const notWarehouse = await grpcError(h.client.reverseEtl.createModel({ ...modelRequest, warehouse: 'Hook' }));
    expect(notWarehouse.details).toBe('invalid input: warehouse: Hook is not a warehouse');
  });

  it('connects a model to a destination: its mapping and its source in the configuration, checked as mappings are', async () => {
    const model = await h.client.reverseEtl.createModel({ ...modelRequest, name: 'Churn' });
    const connection = await h.client.reverseEtl.createConnection({
      workspace: 'retl',
      model: model.id,
      destination: 'Hook',
      changeKinds: ['added', 'updated'],
      action: 'send',
      fields: { data: { email: { '@path': '$.properties.email' }, $kind: 'upsert' } },
      enabled: true,
      rowsPerSecond: 0,
    });
    expect(connection).toMatchObject({ rowsPerSecond: 100, mappingId: `retl-${connection.id}` });
    const destination = await h.client.destinations.getDestination({ workspace: 'retl', destination: hookId });
    expect(destination.mappings.find((m) => m.id === connection.mappingId)).toEqual({
      id: connection.mappingId,
      name: 'Reverse ETL: Churn (added, updated)',
      enabled: true,
      trigger: `type = "track" and context.reverseEtl.modelId = "${model.id}" and (event = "new" or event = "updated")`,
      action: 'send',
      fields: { data: { email: { '@path': '$.properties.email' }, $kind: 'upsert' } },
    });
    expect(destination.sourceIds).toContain(model.id);
    expect((await h.client.reverseEtl.listConnections({ workspace: 'retl', model: model.id })).connections).toEqual([
      connection,
    ]);

    const refused = await grpcError(
      h.client.reverseEtl.createConnection({
        workspace: 'retl',
        model: model.id,
        destination: 'Hook',
        changeKinds: [],
        action: 'nope',
        fields: {},
        enabled: true,
        rowsPerSecond: 0,
      }),
    );
    expect(refused.code).toBe(status.INVALID_ARGUMENT);
    expect(refused.details).toMatch(/^invalid input: change_kinds: needs at least one of added, updated, deleted/);
  });

  it('asks for a run now and lists the runs the runners record', async () => {
    const model = await h.client.reverseEtl.createModel({ ...modelRequest, name: 'Tiers' });
    const unconnected = await grpcError(h.client.reverseEtl.runModelNow({ workspace: 'retl', model: 'Tiers' }));
    expect(unconnected.code).toBe(status.FAILED_PRECONDITION);
    expect(unconnected.details).toBe('model Tiers has no enabled connection to run for');
    await h.client.reverseEtl.createConnection({
      workspace: 'retl',
      model: model.id,
      destination: 'Hook',
      changeKinds: ['deleted'],
      action: 'send',
      fields: { data: { id: { '@path': '$.properties.id' } } },
      enabled: true,
      rowsPerSecond: 10,
    });
    const asked = await h.client.reverseEtl.runModelNow({ workspace: 'retl', model: 'Tiers' });
    expect(asked.runRequestedAt).toBeInstanceOf(Date);
    const reset = await h.client.reverseEtl.resetModel({ workspace: 'retl', model: 'Tiers' });
    expect(reset.resetRequestedAt).toBeInstanceOf(Date);
    expect(reset.runRequestedAt).toEqual(reset.resetRequestedAt);
    expect((await h.client.reverseEtl.getModel({ workspace: 'retl', model: 'Tiers' })).resetRequestedAt).toEqual(
      reset.resetRequestedAt,
    );
    const records = new ReverseEtlStore(h.controlPlane.domain.store.db);
    await records.insertRun({
      id: 'run-1',
      modelId: model.id,
      workspaceId: model.workspaceId,
      trigger: 'manual',
      status: 'failed',
      phase: 'done',
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:01.000Z',
      durationMs: 1000,
      counts: zeroCounts(),
      published: zeroCounts(),
      skipped: zeroCounts(),
      error: { code: 'IDENTIFIER_NOT_UNIQUE', message: 'the unique identifier column "id" repeats values' },
    });
    expect((await h.client.reverseEtl.listRuns({ workspace: 'retl', model: model.id, limit: 0 })).runs).toEqual([
      expect.objectContaining({
        id: 'run-1',
        status: 'failed',
        durationMs: 1000,
        errorCode: 'IDENTIFIER_NOT_UNIQUE',
        counts: { added: 0, updated: 0, deleted: 0 },
      }),
    ]);
    const missing = await grpcError(h.client.reverseEtl.listRuns({ workspace: 'retl', model: 'nope', limit: 0 }));
    expect(missing.code).toBe(status.NOT_FOUND);
  });
});
