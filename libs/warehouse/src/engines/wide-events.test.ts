// Events that reach a warehouse's own limits (row size, columns per table) and characters a
// warehouse cannot store, against a real PostgreSQL and real DuckDB files: every load succeeds and
// keeps every value, in its column or in the row's _overflow JSON.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { SpecEvent } from '@manifold/events';
import { requirePostgres, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { buildSourceBatch, schemaNameForSource, type CellValue } from '../layout';
import { numericProperties, sampleEvents } from '../testing';
import { DuckdbEngine } from './duckdb/duckdb-engine';
import type { WarehouseEngine } from './engine';
import { PostgresEngine } from './postgres/postgres-engine';

const logger = testLogger('warehouse-wide-events');
let tempDir: string;

beforeAll(async () => {
  await requirePostgres(testInfrastructure().warehousePostgresUrl);
  tempDir = await mkdtemp(join(tmpdir(), 'manifold-wide-'));
});

afterAll(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

const engines: Array<[string, () => WarehouseEngine]> = [
  ['postgres', () => new PostgresEngine({ connection: { url: testInfrastructure().warehousePostgresUrl }, logger })],
  ['duckdb', () => new DuckdbEngine({ path: join(tempDir, `${uniqueName('wh')}.duckdb`), logger })],
];

/** Every property value of a row: its own columns' and those in its _overflow object. */
function valuesOf(row: Record<string, CellValue | null>, prefix: string): Record<string, CellValue> {
  const overflow =
    typeof row['_overflow'] === 'string' ? (JSON.parse(row['_overflow']) as Record<string, CellValue>) : {};
  const own = Object.entries(row).filter(([k, v]) => k.startsWith(prefix) && v !== null) as Array<[string, CellValue]>;
  return { ...Object.fromEntries(own), ...overflow };
}

describe.each(engines)('%s engine at its limits', (kind, makeEngine) => {
  let engine: WarehouseEngine;
  let schema: string;

  beforeEach(() => {
    engine = makeEngine();
    schema = schemaNameForSource(uniqueName('src'));
  });

  afterEach(async () => {
    await engine.close();
  });

  const load = (events: SpecEvent[]) =>
    engine.load(buildSourceBatch(events, { schema, uuidTs: new Date().toISOString(), maxStringLength: 512 }));

  it('loads an event with 1,100 numeric properties next to ordinary ones, and later loads go on', async () => {
    const big = sampleEvents.track({ event: 'Telemetry', properties: numericProperties(1100) });
    const ordinary = [
      sampleEvents.track({ event: 'Telemetry', properties: { metric_0: 1.25 } }),
      sampleEvents.track({ event: 'Telemetry', properties: { metric_1099: 2.25 } }),
    ];
    const result = await load([ordinary[0] as SpecEvent, big, ordinary[1] as SpecEvent]);
    expect(result.rowsByTable).toMatchObject({ tracks: 3, telemetry: 3 });
    const rows = await engine.readTable(schema, 'telemetry');
    const bigRow = rows.find((r) => r['id'] === big.messageId) ?? {};
    expect(valuesOf(bigRow, 'metric_')).toEqual(numericProperties(1100));
    if (kind === 'postgres') {
      // A PostgreSQL row holds about 1,000 doubles: the rest went to _overflow, with a notice.
      expect(JSON.parse(bigRow['_overflow'] as string)).toHaveProperty('metric_1099', 1099.5);
      expect(result.plan.notices).toContainEqual(
        expect.objectContaining({ kind: 'overflow', table: 'telemetry', reason: 'row_size' }),
      );
    } else {
      // DuckDB stores columns, not rows in pages: every value has its column.
      expect(bigRow['_overflow']).toBeUndefined();
    }
    const later = sampleEvents.track({ event: 'Telemetry', properties: numericProperties(1100) });
    await load([later, sampleEvents.track({ event: 'Telemetry', properties: { metric_5: 5.25 } })]);
    expect(await engine.readTable(schema, 'telemetry')).toHaveLength(5);
  });

  it('keeps the properties of a table past the column cap in _overflow', async () => {
    const flags = Object.fromEntries(Array.from({ length: 1550 }, (_, i) => [`flag_${i}`, i % 2 === 0]));
    const event = sampleEvents.track({ event: 'Flags Set', properties: flags });
    const result = await load([event]);
    const catalog = (await engine.catalog(schema))?.get('flags_set');
    // 1,500 columns of the layout (13 system and context ones among them), and the overflow.
    expect(catalog?.size).toBe(1501);
    const [row] = await engine.readTable(schema, 'flags_set');
    expect(valuesOf(row ?? {}, 'flag_')).toEqual(flags);
    expect(result.plan.notices).toContainEqual({
      kind: 'overflow',
      table: 'flags_set',
      reason: 'column_limit',
      column: 'flag_1549',
      count: 1,
    });
  }, 60000);

  it('strips NUL characters from top-level fields as from properties', async () => {
    const page = sampleEvents.page({ userId: 'user\u0000-7', name: 'Ho\u0000me', properties: { title: 'T\u0000' } });
    const identify = sampleEvents.identify({ userId: 'user\u0000-7' });
    await load([page, identify]);
    expect(await engine.readTable(schema, 'pages')).toEqual([
      expect.objectContaining({ user_id: 'user-7', name: 'Home', title: 'T' }),
    ]);
    expect(await engine.readTable(schema, 'users')).toEqual([expect.objectContaining({ id: 'user-7' })]);
  });
});

describe('postgres engine and dropped columns', () => {
  it('counts the columns a table dropped against PostgreSQL’s 1,600', async () => {
    const url = testInfrastructure().warehousePostgresUrl;
    const engine = new PostgresEngine({ connection: { url }, logger });
    const schema = schemaNameForSource(uniqueName('src'));
    const load = (events: SpecEvent[]) =>
      engine.load(buildSourceBatch(events, { schema, uuidTs: new Date().toISOString(), maxStringLength: 512 }));
    const flags = (from: number, count: number) =>
      Object.fromEntries(Array.from({ length: count }, (_, i) => [`flag_${from + i}`, true]));
    try {
      await load([sampleEvents.track({ event: 'Flags Set', properties: flags(0, 1400) })]);
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      try {
        const drops = Array.from({ length: 150 }, (_, i) => `DROP COLUMN flag_${i}`).join(', ');
        await db.query(`ALTER TABLE "${schema}".flags_set ${drops}`);
      } finally {
        await db.end();
      }
      // 1,413 attributes, 150 of them dropped: 186 more columns, and the overflow, make 1,600.
      const result = await load([sampleEvents.track({ event: 'Flags Set', properties: flags(2000, 300) })]);
      expect(result.rowsByTable['flags_set']).toBe(1);
      const added = result.plan.tables.find((t) => t.name === 'flags_set')?.addColumns ?? [];
      expect(added).toHaveLength(187);
      expect(added.at(-1)).toEqual({ name: '_overflow', type: 'json' });
      const rows = await engine.readTable(schema, 'flags_set');
      const second = rows.map((r) => valuesOf(r, 'flag_')).find((values) => 'flag_2000' in values);
      expect(second).toEqual(flags(2000, 300));
    } finally {
      await engine.close();
    }
  }, 60000);
});
