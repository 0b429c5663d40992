// How a run reads its prepared changes from a real PostgreSQL warehouse: every change once, in key
// order, in pages; the first read of one page (so the first send starts early), the later ones of
// several pages; no read after a short one.
import { requirePostgres, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { PostgresEngine, type ModelDiffEngine, type RowChange } from '@manifold/warehouse';
import { runWarehouseSql } from '@manifold/warehouse/testing';
import { changePages } from './change-pages';

const logger = testLogger('change-pages');
const postgresUrl = (): string => testInfrastructure().warehousePostgresUrl;

describe('changePages', () => {
  let engine: PostgresEngine;
  let table: string;
  let modelId: string;

  beforeAll(async () => {
    await requirePostgres(postgresUrl());
    engine = new PostgresEngine({ connection: { url: postgresUrl() }, logger });
    table = `public.${uniqueName('retl_pages').replace(/\W/g, '_')}`;
    modelId = uniqueName('pages');
    // 23 rows, all added on the model's first run; keys sort as text: "k01" … "k23".
    await runWarehouseSql(
      { postgresUrl: postgresUrl() },
      `CREATE TABLE ${table} AS SELECT 'k' || lpad(g::text, 2, '0') AS id, g AS n FROM generate_series(1, 23) AS s(g)`,
    );
    await engine.models.prepare({ modelId, sql: `SELECT id, n FROM ${table}`, identifierColumn: 'id' });
  });

  afterAll(async () => {
    await engine?.models.reset(modelId).catch(() => undefined);
    await runWarehouseSql({ postgresUrl: postgresUrl() }, `DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await engine?.close();
  });

  /** The engine's own reads, with the size each one asked for. */
  function recordingReads(): { models: Pick<ModelDiffEngine, 'readChanges'>; limits: number[] } {
    const limits: number[] = [];
    return {
      limits,
      models: {
        readChanges: (id, afterKey, limit) => {
          limits.push(limit);
          return engine.models.readChanges(id, afterKey, limit);
        },
      },
    };
  }

  it('reads one page first, then several at a time, and yields every change once in key order', async () => {
    const { models, limits } = recordingReads();
    const pages: RowChange[][] = [];
    for await (const page of changePages(models, modelId, undefined, 3, 4)) pages.push(page);

    expect(pages.map((p) => p.length)).toEqual([3, 3, 3, 3, 3, 3, 3, 2]);
    const keys = pages.flat().map((c) => c.key);
    expect(keys).toEqual(Array.from({ length: 23 }, (_, i) => `k${String(i + 1).padStart(2, '0')}`));
    expect(pages.flat().every((c) => c.kind === 'added')).toBe(true);
    expect(JSON.parse(pages[0]?.[0]?.rowJson ?? 'null')).toEqual({ id: 'k01', n: 1 });
    // One page (3), then reads of four pages (12); the third, short, is the last: no empty read after it.
    expect(limits).toEqual([3, 12, 12]);
  });

  it('takes up after a key, as a resumed run does', async () => {
    const { models, limits } = recordingReads();
    const pages: RowChange[][] = [];
    for await (const page of changePages(models, modelId, 'k20', 3, 4)) pages.push(page);

    expect(pages.map((p) => p.map((c) => c.key))).toEqual([['k21', 'k22', 'k23']]);
    // A full first page: the next read finds nothing, and ends it.
    expect(limits).toEqual([3, 12]);
  });
});
