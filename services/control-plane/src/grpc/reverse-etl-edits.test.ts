// Reverse ETL's edits over gRPC, on a real FerretDB and a real DuckDB warehouse: a connection
// updated and deleted (its destination mapping and source follow), a model deleted with its
// connections, and a query previewed in the warehouse (first rows and the count, errors named).
import { status } from '@grpc/grpc-js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReverseEtlStore } from '@manifold/reverse-etl';
import { defaultCatalog } from '../default-catalog';
import { grpcError, startTestControlPlane, type Harness } from '../test-support/harness';

describe('reverse ETL edits and preview over gRPC (real FerretDB, DuckDB)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startTestControlPlane({ catalog: defaultCatalog() });
    await h.client.workspaces.createWorkspace({ slug: 'edits', name: 'Edits', ownerEmail: 'o@e.test', members: [] });
    await h.client.destinations.createDestination({
      workspace: 'edits',
      name: 'Warehouse',
      catalogId: 'duckdb',
      settings: { path: join(mkdtempSync(join(tmpdir(), 'retl-preview-')), 'w.duckdb') },
      sources: [],
      syncIntervalSeconds: 3600,
    });
    await h.client.destinations.createDestination({
      workspace: 'edits',
      name: 'Hook',
      catalogId: 'webhook',
      settings: { url: 'https://hooks.example.com/in' },
      sources: [],
      syncIntervalSeconds: 0,
    });
  });

  afterAll(async () => {
    await h?.stop();
  });

  const model = (name: string) =>
    h.client.reverseEtl.createModel({
      workspace: 'edits',
      name,
      warehouse: 'Warehouse',
      sql: 'SELECT id, email FROM crm.customers',
      identifierColumn: 'id',
      schedule: { intervalSeconds: 0, cron: '' },
      enabled: true,
      startFromNow: false,
    });
  const connect = (modelId: string) =>
    h.client.reverseEtl.createConnection({
      workspace: 'edits',
      model: modelId,
      destination: 'Hook',
      changeKinds: ['added'],
      action: 'send',
      fields: { data: { email: { '@path': '$.properties.email' } } },
      enabled: true,
      rowsPerSecond: 0,
    });
  const hook = () => h.client.destinations.getDestination({ workspace: 'edits', destination: 'Hook' });

  it('updates a connection and its mapping, then deletes it and takes the model off the instance', async () => {
    const m = await model('Churn');
    const connection = await connect(m.id);
    const updated = await h.client.reverseEtl.updateConnection({
      workspace: 'edits',
      model: 'Churn',
      connection: connection.id,
      changeKinds: ['added', 'deleted'],
      action: 'send',
      fields: { data: { id: { '@path': '$.properties.id' } } },
      enabled: false,
      rowsPerSecond: 5,
    });
    expect(updated).toMatchObject({
      id: connection.id,
      changeKinds: ['added', 'deleted'],
      enabled: false,
      rowsPerSecond: 5,
    });
    expect((await hook()).mappings.find((x) => x.id === connection.mappingId)).toMatchObject({
      enabled: false,
      fields: { data: { id: { '@path': '$.properties.id' } } },
    });
    const refused = await grpcError(
      h.client.reverseEtl.updateConnection({
        ...updated,
        workspace: 'edits',
        model: 'Churn',
        connection: connection.id,
        action: 'nope',
        fields: {},
      }),
    );
    expect(refused.code).toBe(status.INVALID_ARGUMENT);

    await h.client.reverseEtl.deleteConnection({ workspace: 'edits', model: 'Churn', connection: connection.id });
    const after = await hook();
    expect(after.mappings.map((x) => x.id)).not.toContain(connection.mappingId);
    expect(after.sourceIds).not.toContain(m.id);
    expect((await h.client.reverseEtl.listConnections({ workspace: 'edits', model: 'Churn' })).connections).toEqual([]);
    const gone = await grpcError(
      h.client.reverseEtl.deleteConnection({ workspace: 'edits', model: 'Churn', connection: connection.id }),
    );
    expect(gone.code).toBe(status.NOT_FOUND);
  });

  it('deletes a model with its connections', async () => {
    const m = await model('Tiers');
    const connection = await connect(m.id);
    await h.client.reverseEtl.deleteModel({ workspace: 'edits', model: 'Tiers' });
    const after = await hook();
    expect(after.mappings.map((x) => x.id)).not.toContain(connection.mappingId);
    expect(after.sourceIds).not.toContain(m.id);
    expect((await grpcError(h.client.reverseEtl.getModel({ workspace: 'edits', model: 'Tiers' }))).code).toBe(
      status.NOT_FOUND,
    );
  });

  it('waits for a runner holding the model (about to start a run) before deleting it', async () => {
    const m = await model('Held');
    const records = new ReverseEtlStore(h.controlPlane.domain.store.db);
    expect(await records.acquireLease(m.id, 'a-runner', 60000)).toBe(true);
    let deleted = false;
    const deleting = h.client.reverseEtl.deleteModel({ workspace: 'edits', model: 'Held' }).then((answer) => {
      deleted = true;
      return answer;
    });
    await new Promise((resolve) => setTimeout(resolve, 800));
    // Marked, and not deleted while the lease is held.
    expect(deleted).toBe(false);
    expect((await records.model(m.id))?.deleteRequestedAt).toBeDefined();
    await records.releaseLease(m.id, 'a-runner');
    expect(await deleting).toEqual({ canceledRunId: '' });
    expect(await records.model(m.id)).toBeUndefined();
  });

  it('previews a query in the warehouse: at most 50 rows and the full count', async () => {
    const preview = await h.client.reverseEtl.previewModel({
      workspace: 'edits',
      warehouse: 'Warehouse',
      sql: "SELECT i AS id, 'u' || i AS email FROM range(120) AS t(i) ORDER BY i",
      limit: 0,
    });
    expect(preview.rowCount).toBe(120);
    expect(preview.rows).toHaveLength(50);
    expect(preview.rows[1]).toEqual({ id: 1, email: 'u1' });

    const failed = await grpcError(
      h.client.reverseEtl.previewModel({
        workspace: 'edits',
        warehouse: 'Warehouse',
        sql: 'SELECT * FROM nowhere',
        limit: 5,
      }),
    );
    expect(failed.code).toBe(status.FAILED_PRECONDITION);
    expect(failed.details).toMatch(/^the model's query failed: .*nowhere/);
    const notWarehouse = await grpcError(
      h.client.reverseEtl.previewModel({ workspace: 'edits', warehouse: 'Hook', sql: 'SELECT 1', limit: 5 }),
    );
    expect(notWarehouse.code).toBe(status.INVALID_ARGUMENT);
  });
});
