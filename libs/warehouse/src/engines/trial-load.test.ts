// What the loader needs from an engine to load an event without the values the warehouse refuses:
// trial loads that leave nothing behind, and the refused column read from the warehouse's error.
// Against a real PostgreSQL and real DuckDB files.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SpecEvent } from '@manifold/events';
import { requirePostgres, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { buildSourceBatch, schemaNameForSource } from '../layout';
import { runWarehouseSql, sampleEvents } from '../testing';
import { DuckdbEngine } from './duckdb/duckdb-engine';
import type { WarehouseEngine } from './engine';
import { PostgresEngine } from './postgres/postgres-engine';

const logger = testLogger('warehouse-trial-load');
const { warehousePostgresUrl } = testInfrastructure();
let tempDir: string;

beforeAll(async () => {
  await requirePostgres(warehousePostgresUrl);
  tempDir = await mkdtemp(join(tmpdir(), 'manifold-trial-load-'));
});

afterAll(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

type Target = { postgresUrl: string } | { duckdbPath: string };

const engines: Array<[string, () => { engine: WarehouseEngine; target: Target }]> = [
  [
    'postgres',
    () => ({
      engine: new PostgresEngine({ connection: { url: warehousePostgresUrl }, logger }),
      target: { postgresUrl: warehousePostgresUrl },
    }),
  ],
  [
    'duckdb',
    () => {
      const duckdbPath = join(tempDir, `${uniqueName('wh')}.duckdb`);
      return { engine: new DuckdbEngine({ path: duckdbPath, logger }), target: { duckdbPath } };
    },
  ],
];

describe.each(engines)('%s engine', (_kind, make) => {
  let engine: WarehouseEngine;
  let target: Target;
  let schema: string;

  beforeEach(() => {
    ({ engine, target } = make());
    schema = schemaNameForSource(uniqueName('src'));
  });

  afterEach(async () => {
    await engine.close();
  });

  const batch = (events: SpecEvent[]) =>
    buildSourceBatch(events, { schema, uuidTs: new Date().toISOString(), maxStringLength: 512 });

  it('runs a trial load whole and leaves nothing behind: no schema, table, column or row', async () => {
    const trial = await engine.load(batch([sampleEvents.track({ properties: { quantity: 1 } })]), { trial: true });
    expect(trial.rowsByTable).toMatchObject({ tracks: 1, order_completed: 1 });
    expect(await engine.catalog(schema)).toBeUndefined();

    const stored = sampleEvents.track({ properties: { quantity: 2 } });
    await engine.load(batch([stored]));
    await engine.load(batch([sampleEvents.track({ properties: { quantity: 3, sku: 'A' } })]), { trial: true });
    expect([...((await engine.catalog(schema))?.get('order_completed')?.keys() ?? [])]).not.toContain('sku');
    expect((await engine.readTable(schema, 'order_completed')).map((r) => r['id'])).toEqual([stored.messageId]);
  });

  it('names the column of a value the warehouse refuses from its error, and nothing for other errors', async () => {
    await engine.load(batch([sampleEvents.track({ properties: { quantity: 1 } })]));
    await runWarehouseSql(target, `ALTER TABLE "${schema}"."order_completed" ALTER COLUMN quantity TYPE integer`);
    const refusal = await engine.load(batch([sampleEvents.track({ properties: { quantity: 3_000_000_000 } })])).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(engine.classifyError(refusal)).toBe('data');
    expect(engine.refusedColumn(refusal)).toBe('quantity');
    expect(engine.refusedColumn(new Error('connection reset'))).toBeUndefined();
  });
});
