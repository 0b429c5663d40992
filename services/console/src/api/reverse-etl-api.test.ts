// Reverse ETL through the Public API against a real control plane, FerretDB, Kafka and a DuckDB
// warehouse, with a real warehouse loader running the models: a model created (problems named
// per field), previewed, connected, changed, run now and its run listed with its counts; then
// disconnected and deleted, its destination mapping going with it; meanwhile listed among the
// sources (include_models) as a source of category "Reverse ETL".
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@manifold/testing';
import type { LoaderApp } from '@manifold/warehouse-loader';
import { ConsoleClient } from '../testing/http-client';
import { startReverseEtlLoader } from '../testing/reverse-etl-loader';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';

interface Problem {
  error: { code: string; message: string; fields: Array<{ field: string; message: string }> };
}
interface Model {
  id: string;
  name: string;
  sql: string;
  schedule: { intervalSeconds: number; cron: string };
  runRequestedAt: string | null;
}
interface Connection {
  id: string;
  mappingId: string;
  changeKinds: string[];
  enabled: boolean;
}
interface Run {
  id: string;
  status: string;
  trigger: string;
  counts: Record<string, number>;
  published: Record<string, number>;
  errorCode: string;
  expectedDeliveries: number;
  missingDeliveries: number;
  deliveries: Record<string, Record<string, number>>;
  failedRows: unknown[];
}

describe('console Public API: Reverse ETL', () => {
  let stack: ConsoleStack;
  let owner: ConsoleClient;
  let loader: LoaderApp | undefined;
  const base = '/api/v1/workspaces/retl/reverse-etl';

  beforeAll(async () => {
    stack = await startConsoleStack({ catalog: 'default', dataPlane: {} });
    owner = new ConsoleClient(stack.console.url);
    expect((await owner.setup('owner@retl.test', 'correct horse battery', 'retl', 'Retl')).status).toBe(201);
    const warehouse = await owner.call('POST', '/api/v1/workspaces/retl/destinations', {
      name: 'Lake',
      catalogId: 'duckdb',
      settings: { path: join(mkdtempSync(join(tmpdir(), 'console-retl-')), 'lake.duckdb') },
      // Nothing to load into it: only the Reverse ETL runner opens it.
      enabled: false,
    });
    expect(warehouse.status).toBe(201);
    const hook = await owner.call('POST', '/api/v1/workspaces/retl/destinations', {
      name: 'Hook',
      catalogId: 'webhook',
      settings: { url: 'https://hooks.example.com/in' },
    });
    expect(hook.status).toBe(201);
    loader = await startReverseEtlLoader(stack);
  }, 90000);

  afterAll(async () => {
    await loader?.stop();
    await stack?.stop();
  });

  const sql = "SELECT i AS id, 'user' || i || '@retl.test' AS email FROM range(3) AS t(i)";

  it('creates, previews, connects, runs now, lists runs, then disconnects and deletes', async () => {
    const refused = await owner.call<Problem>('POST', `${base}/models`, {
      name: 'Users',
      warehouse: 'Hook',
      sql,
      identifierColumn: 'id',
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields).toEqual([{ field: 'warehouse', message: 'Hook is not a warehouse' }]);
    const badSchedule = await owner.call<Problem>('POST', `${base}/models`, {
      name: 'Users',
      warehouse: 'Lake',
      sql,
      identifierColumn: 'id',
      schedule: { intervalSeconds: 5 },
    });
    expect(badSchedule.status).toBe(400);
    expect(badSchedule.body.error.fields.map((f) => f.field)).toEqual(['schedule.interval_seconds']);

    const created = await owner.call<Model>('POST', `${base}/models`, {
      name: 'Users',
      warehouse: 'Lake',
      sql,
      identifierColumn: 'id',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Users',
      schedule: { intervalSeconds: 0, cron: '' },
      runRequestedAt: null,
      createdBy: 'owner@retl.test',
    });
    const model = `${base}/models/${created.body.id}`;
    expect((await owner.call<{ models: Model[] }>('GET', `${base}/models`)).body.models.map((m) => m.id)).toEqual([
      created.body.id,
    ]);
    // The Sources list has it as a source of category "Reverse ETL" when asked (the Sources page asks).
    const sources = '/api/v1/workspaces/retl/sources';
    const listed = await owner.call<{ sources: Array<Record<string, unknown>>; page: { totalCount: number } }>(
      'GET',
      `${sources}?include_models=true&category=Reverse%20ETL`,
    );
    expect(listed.status).toBe(200);
    expect(listed.body.sources).toEqual([
      expect.objectContaining({
        id: created.body.id,
        name: 'Users',
        type: 'reverse-etl',
        category: 'Reverse ETL',
        enabled: true,
        writeKeys: [],
        createdBy: 'owner@retl.test',
      }),
    ]);
    expect(listed.body.page.totalCount).toBe(1);
    const plain = await owner.call<{ sources: Array<{ id: string }> }>('GET', sources);
    expect(plain.body.sources.map((x) => x.id)).not.toContain(created.body.id);
    expect((await owner.call<Problem>('GET', `${sources}?include_models=yes`)).status).toBe(400);

    const preview = await owner.call<{ rows: unknown[]; rowCount: number }>('POST', `${base}/preview`, {
      warehouse: 'Lake',
      sql,
    });
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({
      rows: [
        { id: 0, email: 'user0@retl.test' },
        { id: 1, email: 'user1@retl.test' },
        { id: 2, email: 'user2@retl.test' },
      ],
      rowCount: 3,
    });
    const failing = await owner.call<Problem>('POST', `${base}/preview`, {
      warehouse: 'Lake',
      sql: 'SELECT * FROM x.y',
    });
    expect(failing.status).toBe(400);
    expect(failing.body.error.message).toMatch(/^the model's query failed/);

    const patched = await owner.call<Model>('PATCH', model, { schedule: { cron: '0 6 * * *' } });
    expect(patched.body).toMatchObject({ name: 'Users', sql, schedule: { intervalSeconds: 0, cron: '0 6 * * *' } });
    const notYet = await owner.call<Problem>('POST', `${model}/run`);
    expect(notYet.status).toBe(400);
    expect(notYet.body.error.message).toBe('model Users has no enabled connection to run for');

    const badConnection = await owner.call<Problem>('POST', `${model}/connections`, {
      destination: 'Hook',
      changeKinds: ['added'],
      action: 'send',
      fields: { data: { '@case': { operator: 'title' } } },
    });
    expect(badConnection.status).toBe(400);
    const connected = await owner.call<Connection>('POST', `${model}/connections`, {
      destination: 'Hook',
      changeKinds: ['added'],
      action: 'send',
      fields: { data: { email: { '@path': '$.properties.email' } } },
    });
    expect(connected.status).toBe(201);
    const connection = `${model}/connections/${connected.body.id}`;
    const changed = await owner.call<Connection>('PATCH', connection, { changeKinds: ['added', 'updated'] });
    expect(changed.body).toMatchObject({ changeKinds: ['added', 'updated'], enabled: true });

    const asked = await owner.call<Model>('POST', `${model}/run`);
    expect(asked.status).toBe(200);
    expect(asked.body.runRequestedAt).not.toBeNull();
    const runs = await eventually(
      async () => (await owner.call<{ runs: Run[] }>('GET', `${model}/runs`)).body.runs,
      (r) => r[0]?.status === 'succeeded',
      30000,
    );
    expect(runs[0]).toMatchObject({
      trigger: 'manual',
      errorCode: '',
      counts: { added: 3, updated: 0, deleted: 0 },
      published: { added: 3, updated: 0, deleted: 0 },
      // No translator in this stack: the run stopped waiting at the loader's delivery timeout.
      expectedDeliveries: 3,
      missingDeliveries: 3,
      failedRows: [],
    });
    expect(runs[0]?.deliveries.delivered).toEqual({ added: 0, updated: 0, deleted: 0 });
    expect((await owner.call('POST', `${model}/reset`)).status).toBe(200);

    expect((await owner.call('DELETE', connection)).status).toBe(200);
    const hook = await owner.call<{ mappings: Array<{ id: string }> }>(
      'GET',
      '/api/v1/workspaces/retl/destinations/Hook',
    );
    expect(hook.body.mappings.map((m) => m.id)).not.toContain(connected.body.mappingId);
    expect((await owner.call('DELETE', model)).status).toBe(200);
    expect((await owner.call<Problem>('GET', model)).status).toBe(404);
    const afterDelete = await owner.call<{ sources: Array<{ id: string }> }>(
      'GET',
      '/api/v1/workspaces/retl/sources?include_models=true',
    );
    expect(afterDelete.body.sources.map((x) => x.id)).not.toContain(created.body.id);
  }, 90000);

  it("starts a new connection with no fields mapped from the model's columns of the same names", async () => {
    const list = await owner.call('POST', '/api/v1/workspaces/retl/destinations', {
      name: 'Users list',
      catalogId: 'iterable',
      settings: { apiKey: 'it-key-0123456789' },
    });
    expect(list.status).toBe(201);
    const created = await owner.call<Model>('POST', `${base}/models`, {
      name: 'Members',
      warehouse: 'Lake',
      sql: "SELECT i AS id, 'm' || i || '@retl.test' AS Email, '+1555000000' || i AS phone_number, 'gold' AS plan FROM range(2) AS t(i)",
      identifierColumn: 'id',
    });
    expect(created.status).toBe(201);
    // Before anything is saved (the Connect form shows it): the same suggestion, with the columns.
    const suggestion = await owner.call<{ fields: unknown; columns: string[] }>(
      'POST',
      `${base}/models/${created.body.id}/suggested-fields`,
      { destination: 'Users list', action: 'updateUser' },
    );
    expect(suggestion.status).toBe(200);
    expect(suggestion.body).toEqual({
      fields: { email: { '@path': '$.properties.Email' }, phoneNumber: { '@path': '$.properties.phone_number' } },
      columns: ['id', 'Email', 'phone_number', 'plan'],
    });
    const unknownAction = await owner.call<Problem>('POST', `${base}/models/${created.body.id}/suggested-fields`, {
      destination: 'Users list',
      action: 'sendCarrierPigeon',
    });
    // With the columns the caller has (the Connect form's preview): no query of the warehouse.
    const given = await owner.call<{ fields: unknown; columns: string[] }>(
      'POST',
      `${base}/models/${created.body.id}/suggested-fields`,
      { destination: 'Users list', action: 'updateUser', columns: ['user_id', 'PHONE_NUMBER'] },
    );
    expect(given.body).toEqual({
      fields: { userId: { '@path': '$.properties.user_id' }, phoneNumber: { '@path': '$.properties.PHONE_NUMBER' } },
      columns: ['user_id', 'PHONE_NUMBER'],
    });
    expect(unknownAction.status).toBe(400);
    expect(JSON.stringify(unknownAction.body)).toContain('is not an action of Users list (iterable)');
    const connections = `${base}/models/${created.body.id}/connections`;
    const suggested = await owner.call<Connection & { fields: unknown }>('POST', connections, {
      destination: 'Users list',
      changeKinds: ['added', 'updated'],
      action: 'updateUser',
    });
    expect(suggested.status).toBe(201);
    // email ← Email, phoneNumber ← phone_number; userId and traits have no column of their name.
    expect(suggested.body.fields).toEqual({
      email: { '@path': '$.properties.Email' },
      phoneNumber: { '@path': '$.properties.phone_number' },
    });
    // Still the user's to change.
    const edited = await owner.call<Connection & { fields: unknown }>('PATCH', `${connections}/${suggested.body.id}`, {
      fields: { email: { '@path': '$.properties.Email' }, traits: { plan: { '@path': '$.properties.plan' } } },
    });
    expect(edited.status).toBe(200);
    expect(edited.body.fields).toEqual({
      email: { '@path': '$.properties.Email' },
      traits: { plan: { '@path': '$.properties.plan' } },
    });
    expect((await owner.call('DELETE', `${base}/models/${created.body.id}`)).status).toBe(200);
  }, 90000);

  it('deletes a model while it runs: the run stops between pages, canceled, then the model goes', async () => {
    const created = await owner.call<Model>('POST', `${base}/models`, {
      name: 'Busy',
      warehouse: 'Lake',
      sql: "SELECT i AS id, 'user' || i || '@retl.test' AS email FROM range(500) AS t(i)",
      identifierColumn: 'id',
    });
    expect(created.status).toBe(201);
    const model = `${base}/models/${created.body.id}`;
    // 10 rows a second: 500 rows take 50 s, so the deletion comes in the middle.
    const connected = await owner.call<Connection>('POST', `${model}/connections`, {
      destination: 'Hook',
      changeKinds: ['added'],
      action: 'send',
      fields: { data: { email: { '@path': '$.properties.email' } } },
      rowsPerSecond: 10,
    });
    expect(connected.status).toBe(201);
    expect((await owner.call('POST', `${model}/run`)).status).toBe(200);
    const [running] = await eventually(
      async () => (await owner.call<{ runs: Run[] }>('GET', `${model}/runs`)).body.runs,
      (r) => r[0]?.status === 'running' && (r[0].published.added ?? 0) >= 10,
      30000,
    );

    const deleted = await owner.call<{ canceledRunId: string }>('DELETE', model);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ canceledRunId: running?.id });
    expect((await owner.call<Problem>('GET', model)).status).toBe(404);
    const hook = await owner.call<{ mappings: Array<{ id: string }> }>(
      'GET',
      '/api/v1/workspaces/retl/destinations/Hook',
    );
    expect(hook.body.mappings.map((m) => m.id)).not.toContain(connected.body.mappingId);
  }, 90000);
});
