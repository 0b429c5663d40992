// The model diff on a real PostgreSQL (a source table per test) and real DuckDB files.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { requirePostgres, testInfrastructure, testLogger, uniqueName, rejectionOf } from '@manifold/testing';
import { DuckdbEngine } from '../engines/duckdb/duckdb-engine';
import type { WarehouseEngine } from '../engines/engine';
import { PostgresEngine } from '../engines/postgres/postgres-engine';
import { runWarehouseSql } from '../testing';
import { ModelRunError, type ModelQuery, type RowChange } from './model-diff';

const logger = testLogger('model-diff');
let tempDir: string;

beforeAll(async () => {
  await requirePostgres(testInfrastructure().warehousePostgresUrl);
  tempDir = await mkdtemp(join(tmpdir(), 'manifold-retl-'));
});

afterAll(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

const duckdbPaths = new WeakMap<WarehouseEngine, string>();

const engines: Array<[string, () => WarehouseEngine]> = [
  ['postgres', () => new PostgresEngine({ connection: { url: testInfrastructure().warehousePostgresUrl }, logger })],
  [
    'duckdb',
    () => {
      const path = join(tempDir, `${uniqueName('wh')}.duckdb`);
      const engine = new DuckdbEngine({ path, logger });
      duckdbPaths.set(engine, path);
      return engine;
    },
  ],
];

/** Runs the customer's side of a test (their tables) straight on the warehouse, as they would. */
function exec(engine: WarehouseEngine, sql: string): Promise<void> {
  const duckdbPath = duckdbPaths.get(engine);
  return runWarehouseSql(duckdbPath ? { duckdbPath } : { postgresUrl: testInfrastructure().warehousePostgresUrl }, sql);
}

async function allChanges(engine: WarehouseEngine, modelId: string, pageSize = 2): Promise<RowChange[]> {
  const all: RowChange[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await engine.models.readChanges(modelId, after, pageSize);
    if (page.length === 0) return all;
    all.push(...page);
    after = page.at(-1)?.key;
  }
}

const summary = (changes: RowChange[]) => changes.map((c) => `${c.kind}:${c.key}`).sort();

describe.each(engines)('%s model diff', (_kind, makeEngine) => {
  let engine: WarehouseEngine;
  let table: string;
  let model: ModelQuery;

  beforeEach(async () => {
    engine = makeEngine();
    table = uniqueName('customers').replace(/[^a-z0-9_]/g, '_');
    model = {
      modelId: uniqueName('model'),
      sql: `SELECT id, email, ltv, tier FROM crm.${table};`,
      identifierColumn: 'id',
    };
    await exec(engine, 'CREATE SCHEMA IF NOT EXISTS crm');
    await exec(engine, `CREATE TABLE crm.${table} (id INTEGER, email VARCHAR, ltv DOUBLE PRECISION, tier VARCHAR)`);
    await exec(
      engine,
      `INSERT INTO crm.${table} VALUES (1, 'a@x.io', 10.5, 'gold'), (2, 'b@x.io', NULL, 'silver'), (3, 'c@x.io', 3, NULL)`,
    );
  });

  afterEach(async () => {
    await engine.models.reset(model.modelId);
    await exec(engine, `DROP TABLE IF EXISTS crm.${table}`);
    await engine.close();
  });

  it('sees every row as added on the first run, in pages by key, with the row as JSON', async () => {
    const prepared = await engine.models.prepare(model);
    expect(prepared).toEqual({
      counts: { added: 3, updated: 0, deleted: 0 },
      columns: ['id', 'email', 'ltv', 'tier'],
      firstRun: true,
    });
    const changes = await allChanges(engine, model.modelId);
    expect(changes.map(({ kind, key, rowJson }) => ({ kind, key, row: JSON.parse(rowJson) as unknown }))).toEqual([
      { kind: 'added', key: '1', row: { id: 1, email: 'a@x.io', ltv: 10.5, tier: 'gold' } },
      { kind: 'added', key: '2', row: { id: 2, email: 'b@x.io', ltv: null, tier: 'silver' } },
      { kind: 'added', key: '3', row: { id: 3, email: 'c@x.io', ltv: 3, tier: null } },
    ]);
    // The warehouse's own text, published as it is: compact, the columns in the query's order.
    expect(changes[0]?.rowJson).toBe('{"id":1,"email":"a@x.io","ltv":10.5,"tier":"gold"}');
    await engine.models.promote(model.modelId);
    expect(await engine.models.hasPrepared(model.modelId)).toBe(false);
  });

  it('finds added, updated (a null becoming a value too) and deleted rows against the last completed run', async () => {
    await engine.models.prepare(model);
    await engine.models.promote(model.modelId);
    await exec(engine, `UPDATE crm.${table} SET ltv = 11 WHERE id = 2`);
    await exec(engine, `UPDATE crm.${table} SET email = 'a2@x.io' WHERE id = 1`);
    await exec(engine, `DELETE FROM crm.${table} WHERE id = 3`);
    await exec(engine, `INSERT INTO crm.${table} VALUES (4, 'd@x.io', 1, 'bronze')`);
    const prepared = await engine.models.prepare(model);
    expect(prepared.counts).toEqual({ added: 1, updated: 2, deleted: 1 });
    const changes = await allChanges(engine, model.modelId, 3);
    expect(summary(changes)).toEqual(['added:4', 'deleted:3', 'updated:1', 'updated:2']);
    const row = (change: RowChange | undefined): unknown => JSON.parse(change?.rowJson ?? 'null');
    expect(row(changes.find((c) => c.kind === 'deleted'))).toEqual({ id: 3, email: null, ltv: null, tier: null });
    expect(row(changes.find((c) => c.key === '2'))).toMatchObject({ ltv: 11 });
    await engine.models.promote(model.modelId);

    const again = await engine.models.prepare(model);
    expect(again.counts).toEqual({ added: 0, updated: 0, deleted: 0 });
    expect(await allChanges(engine, model.modelId)).toEqual([]);
  });

  it('keeps every digit of a number JavaScript cannot hold, and each value as the warehouse wrote it', async () => {
    const bigModel = {
      ...model,
      sql: `SELECT id, CAST(9007199254740993 + id AS BIGINT) AS big, 'é "q"' AS txt FROM crm.${table} WHERE id = 1`,
    };
    await engine.models.prepare(bigModel);
    const [change] = await allChanges(engine, model.modelId);
    expect(change?.rowJson).toBe('{"id":1,"big":9007199254740994,"txt":"é \\"q\\""}');
  });

  it('sends NaN and infinities as valid JSON, as strings (DuckDB writes them bare), and sees them unchanged', async () => {
    const special = {
      ...model,
      sql: `SELECT id, CAST('NaN' AS DOUBLE PRECISION) AS nan, CAST('Infinity' AS DOUBLE PRECISION) AS inf,
              CAST('-Infinity' AS DOUBLE PRECISION) AS neg, ARRAY[CAST('NaN' AS DOUBLE PRECISION), 1.5] AS list,
              'NaN, Infinity "-Infinity"' AS txt FROM crm.${table} WHERE id = 1`,
    };
    await engine.models.prepare(special);
    const [change] = await allChanges(engine, special.modelId);
    expect(JSON.parse(change?.rowJson ?? '')).toEqual({
      id: 1,
      nan: 'NaN',
      inf: 'Infinity',
      neg: '-Infinity',
      list: ['NaN', 1.5],
      txt: 'NaN, Infinity "-Infinity"',
    });
    const preview = await engine.models.preview(special.sql, 1);
    expect(preview.rows[0]).toMatchObject({ nan: 'NaN', inf: 'Infinity', neg: '-Infinity', list: ['NaN', 1.5] });
    await engine.models.promote(special.modelId);
    expect((await engine.models.prepare(special)).counts).toEqual({ added: 0, updated: 0, deleted: 0 });
  });

  it('writes dates and times as PostgreSQL does: timestamps in ISO 8601, a zone as UTC, on both engines', async () => {
    // DuckDB's to_json writes its own text ("2026-01-01 00:00:00.5+00", a space and no minutes in
    // the offset), which destinations' date-time checks refuse.
    const temporal = {
      ...model,
      sql: `SELECT id,
              CAST('2026-01-01 00:00:00.5+00' AS TIMESTAMP WITH TIME ZONE) AS at,
              CAST('2026-01-01 11:30:00+02' AS TIMESTAMP WITH TIME ZONE) AS at_whole,
              CAST('2026-01-02 03:04:05.123456' AS TIMESTAMP) AS local_at,
              CAST('2026-01-03' AS DATE) AS day,
              CAST('12:34:56.5' AS TIME) AS clock,
              CAST('1 year 2 months 3 days 04:05:06' AS INTERVAL) AS span,
              CAST('12.50' AS DECIMAL(10, 2)) AS price
            FROM crm.${table} WHERE id <= 2`,
    };
    const expected =
      '"at":"2026-01-01T00:00:00.5+00:00","at_whole":"2026-01-01T09:30:00+00:00","local_at":"2026-01-02T03:04:05.123456",' +
      '"day":"2026-01-03","clock":"12:34:56.5","span":"1 year 2 mons 3 days 04:05:06"';
    await engine.models.prepare(temporal);
    const [first] = await allChanges(engine, temporal.modelId);
    expect(first?.rowJson.replace(/,"price":.*\}$/, '}')).toBe(`{"id":1,${expected}}`);
    // A decimal's trailing zeros are the engine's (12.50 on PostgreSQL, 12.5 on DuckDB): the same number.
    expect(JSON.parse(first?.rowJson ?? '{}')).toMatchObject({ price: 12.5 });
    const preview = await engine.models.preview(temporal.sql, 1);
    expect(preview.rows[0]).toMatchObject(JSON.parse(`{${expected}}`) as Record<string, unknown>);
    // Unchanged values are not updated; a deleted row keeps its identifier, and is written the same way.
    await engine.models.promote(temporal.modelId);
    await exec(engine, `DELETE FROM crm.${table} WHERE id = 2`);
    expect((await engine.models.prepare(temporal)).counts).toEqual({ added: 0, updated: 0, deleted: 1 });
    const byTime = {
      ...temporal,
      modelId: uniqueName('model'),
      sql: `SELECT local_at AS id, day FROM (${temporal.sql}) m`,
    };
    try {
      await engine.models.prepare(byTime);
      await engine.models.promote(byTime.modelId);
      await exec(engine, `DELETE FROM crm.${table} WHERE id = 1`);
      await engine.models.prepare(byTime);
      const [deleted] = await allChanges(engine, byTime.modelId);
      expect(deleted?.kind).toBe('deleted');
      expect(deleted?.rowJson).toBe('{"id":"2026-01-02T03:04:05.123456","day":null}');
    } finally {
      await engine.models.reset(byTime.modelId);
    }
  });

  it('takes whole rows right whatever the columns are named (no column is taken for the row)', async () => {
    // Columns named as the diff's table aliases were before, and as one it uses now.
    const named = {
      ...model,
      sql: `SELECT id, tier AS s, email AS p, ltv AS q, id AS manifold_stage FROM crm.${table}`,
    };
    await engine.models.prepare(named);
    await engine.models.promote(named.modelId);
    await exec(engine, `UPDATE crm.${table} SET tier = 'platinum' WHERE id = 1`);
    await exec(engine, `DELETE FROM crm.${table} WHERE id = 3`);
    await engine.models.prepare(named);
    const changes = await allChanges(engine, named.modelId);
    expect(changes.map(({ kind, key, rowJson }) => ({ kind, key, row: JSON.parse(rowJson) as unknown }))).toEqual([
      { kind: 'updated', key: '1', row: { id: 1, s: 'platinum', p: 'a@x.io', q: 10.5, manifold_stage: 1 } },
      { kind: 'deleted', key: '3', row: { id: 3, s: null, p: null, q: null, manifold_stage: null } },
    ]);
    const preview = await engine.models.preview(`SELECT id, tier AS m FROM crm.${table} ORDER BY id`, 1);
    expect(preview.rows).toEqual([{ id: 1, m: 'platinum' }]);
    const reserved = await rejectionOf(() =>
      engine.models.preview(`SELECT id, tier AS manifold_preview_row FROM crm.${table}`, 1),
    );
    expect(reserved).toBeInstanceOf(ModelRunError);
    expect((reserved as Error).message).toMatch(/named manifold_preview_row, a name Manifold keeps/);
  });

  it('keeps the snapshot when a run is not promoted: the same changes come again', async () => {
    await engine.models.prepare(model);
    await engine.models.promote(model.modelId);
    await exec(engine, `UPDATE crm.${table} SET tier = 'gold' WHERE id = 3`);
    await engine.models.prepare(model);
    expect(await engine.models.hasPrepared(model.modelId)).toBe(true);
    const firstPage = await engine.models.readChanges(model.modelId, undefined, 10);
    expect(summary(firstPage)).toEqual(['updated:3']);
    // The run stops here; the next one (after a crash, say) reads from where it was or prepares again.
    expect(await engine.models.readChanges(model.modelId, '3', 10)).toEqual([]);
    await engine.models.discard(model.modelId);
    expect((await engine.models.prepare(model)).counts).toEqual({ added: 0, updated: 1, deleted: 0 });
  });

  it('starts from now: the first result becomes the snapshot and nothing is sent', async () => {
    const prepared = await engine.models.prepare(model, { startFromNow: true });
    expect(prepared.counts).toEqual({ added: 0, updated: 0, deleted: 0 });
    await engine.models.promote(model.modelId);
    await exec(engine, `INSERT INTO crm.${table} VALUES (5, 'e@x.io', 2, 'gold')`);
    expect((await engine.models.prepare(model, { startFromNow: true })).counts).toEqual({
      added: 1,
      updated: 0,
      deleted: 0,
    });
  });

  it('reports a query error, a missing, null, blank or repeated identifier and changed columns, preparing nothing', async () => {
    const failure = async (query: ModelQuery): Promise<ModelRunError> => {
      const error = await rejectionOf(() => engine.models.prepare(query));
      expect(error).toBeInstanceOf(ModelRunError);
      expect(await engine.models.hasPrepared(query.modelId)).toBe(false);
      return error as ModelRunError;
    };
    const broken = await failure({ ...model, sql: `SELECT id, nope FROM crm.${table}` });
    expect(broken.code).toBe('QUERY_FAILED');
    expect(broken.message).toMatch(/^the model's query failed: .*nope/);

    const missing = await failure({ ...model, identifierColumn: 'user_id' });
    expect(missing.code).toBe('IDENTIFIER_MISSING');
    expect(missing.message).toBe(
      `the unique identifier column "user_id" is not among the query's columns (id, email, ltv, tier)`,
    );

    await exec(engine, `INSERT INTO crm.${table} VALUES (2, 'dup@x.io', 1, 'gold'), (NULL, 'none@x.io', 1, NULL)`);
    const nulls = await failure(model);
    expect(nulls).toMatchObject({
      code: 'IDENTIFIER_NULL',
      message: `1 row has no value in the unique identifier column "id"`,
    });
    await exec(engine, `DELETE FROM crm.${table} WHERE id IS NULL`);
    // An empty or blank identifier identifies nothing either: it is refused as a missing one.
    const blankId = (sql: string): ModelQuery => ({
      ...model,
      sql: `SELECT CASE ${sql} ELSE CAST(id AS VARCHAR) END AS id, email FROM crm.${table}`,
    });
    expect(await failure(blankId(`WHEN id = 1 THEN ''`))).toMatchObject({
      code: 'IDENTIFIER_NULL',
      message: `1 row has an empty or blank value in the unique identifier column "id"`,
    });
    expect(await failure(blankId(`WHEN id = 1 THEN '  ' WHEN id = 3 THEN ' ' || chr(9) || chr(10)`))).toMatchObject({
      code: 'IDENTIFIER_NULL',
      message: `2 rows have an empty or blank value in the unique identifier column "id"`,
    });
    expect(await failure(blankId(`WHEN id = 1 THEN '' WHEN id = 3 THEN NULL`))).toMatchObject({
      code: 'IDENTIFIER_NULL',
      message: `2 rows have no value in the unique identifier column "id" (1 null, 1 empty or blank)`,
    });
    const repeated = await failure(model);
    expect(repeated).toMatchObject({
      code: 'IDENTIFIER_NOT_UNIQUE',
      message: `the unique identifier column "id" repeats values, e.g. "2" (2 rows)`,
    });
    await exec(engine, `DELETE FROM crm.${table} WHERE email = 'dup@x.io'`);

    await engine.models.prepare(model);
    await engine.models.promote(model.modelId);
    const changed = await failure({
      ...model,
      sql: `SELECT id, email, CAST(ltv AS VARCHAR) AS ltv, 1 AS extra FROM crm.${table}`,
    });
    expect(changed.code).toBe('COLUMNS_CHANGED');
    expect(changed.message).toMatch(/added extra; removed tier; changed type ltv \(/);
    // The snapshot survived every failure: nothing changed since it was taken.
    expect((await engine.models.prepare(model)).counts).toEqual({ added: 0, updated: 0, deleted: 0 });
  });

  it('previews the first rows of a query and counts them all', async () => {
    const preview = await engine.models.preview(`SELECT id, tier FROM crm.${table} ORDER BY id`, 2);
    expect(preview).toEqual({
      rows: [
        { id: 1, tier: 'gold' },
        { id: 2, tier: 'silver' },
      ],
      rowCount: 3,
    });
    // An integer beyond 2^53 (a BIGINT id) as its digits, as the runner sends it, not rounded.
    const big = await engine.models.preview(
      `SELECT CAST(id AS BIGINT) * 1000000000000000000 + 234567890123456789 AS id FROM crm.${table} WHERE id = 1`,
      1,
    );
    expect(big.rows).toEqual([{ id: '1234567890123456789' }]);
  });

  it('stops a preview that runs past its time, with a clear error', async () => {
    // A query with no end in sight (a huge cross join counted): the warehouse must stop it.
    const heavy = `SELECT a.id FROM crm.${table} a, crm.${table} b, generate_series(1, 10000000000) g(n)`;
    const error = await rejectionOf(() => engine.models.preview(heavy, 50, { timeoutMs: 300 }));
    expect(error).toBeInstanceOf(ModelRunError);
    expect((error as ModelRunError).code).toBe('QUERY_TIMEOUT');
    expect((error as ModelRunError).message).toContain("longer than the preview's limit of 0.3 s");
    // The engine is usable afterwards.
    expect((await engine.models.preview(`SELECT id FROM crm.${table} ORDER BY id`, 1)).rowCount).toBe(3);
  });
});

describe('postgres model sessions', () => {
  it('write timestamps with a zone in UTC whatever zone the database or role is set to', async () => {
    // to_json writes a TIMESTAMPTZ in the session's zone: a server, database or role set to India
    // would otherwise publish +05:30 offsets (and see every row updated when its zone changes).
    const base = testInfrastructure().warehousePostgresUrl;
    const database = uniqueName('retl_tz').replace(/[^a-z0-9_]/g, '_');
    await runWarehouseSql({ postgresUrl: base }, `CREATE DATABASE ${database}`);
    const url = new URL(base);
    url.pathname = `/${database}`;
    const engine = new PostgresEngine({ connection: { url: url.toString() }, logger });
    try {
      await runWarehouseSql({ postgresUrl: base }, `ALTER DATABASE ${database} SET timezone = 'Asia/Kolkata'`);
      const query: ModelQuery = {
        modelId: uniqueName('model'),
        sql: `SELECT 1 AS id, CAST('2026-01-01 09:30:00+00' AS TIMESTAMPTZ) AS at,
                current_setting('TimeZone') AS zone`,
        identifierColumn: 'id',
      };
      // The database's own sessions are in India: the setting took.
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        expect(
          (await client.query("SELECT to_json(CAST('2026-01-01 09:30:00+00' AS TIMESTAMPTZ)) AS at")).rows,
        ).toEqual([{ at: '2026-01-01T15:00:00+05:30' }]);
      } finally {
        await client.end();
      }
      await engine.models.prepare(query);
      const [added] = await allChanges(engine, query.modelId);
      expect(added?.rowJson).toBe('{"id":1,"at":"2026-01-01T09:30:00+00:00","zone":"UTC"}');
      expect((await engine.models.preview(query.sql, 1)).rows).toEqual([
        { id: 1, at: '2026-01-01T09:30:00+00:00', zone: 'UTC' },
      ]);
      await engine.models.reset(query.modelId);
    } finally {
      await engine.close();
      await runWarehouseSql({ postgresUrl: base }, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    }
  });
});
