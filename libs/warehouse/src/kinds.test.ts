import type { IntegrationsObject } from '@manifold/events';
import { encodeLoadRecord, warehouseAllowed, warehouseCatalog, type WarehouseLoadRecord } from './index';
import { WAREHOUSE_KINDS, validateWarehouseSettings } from './warehouse-kinds';

describe('warehouse kinds and settings', () => {
  it('lists postgres and duckdb with their secret settings marked', () => {
    expect(WAREHOUSE_KINDS.map((k) => k.id)).toEqual(['postgres', 'duckdb']);
    const secrets = Object.fromEntries(warehouseCatalog().map((entry) => [entry.id, entry.secrets]));
    expect(secrets).toEqual({ postgres: { url: 'whole', password: 'whole' }, duckdb: {} });
  });

  it('accepts a URL or separate fields, fills defaults, and lists every problem otherwise', () => {
    expect(validateWarehouseSettings('postgres', { url: 'postgres://u:p@h:5432/db' })).toEqual({
      url: 'postgres://u:p@h:5432/db',
      port: 5432,
      ssl: false,
      maxStringLength: 512,
      batchSize: 20000,
    });
    expect(validateWarehouseSettings('postgres', { host: 'h', user: 'u', database: 'd', password: 'p' })).toMatchObject(
      { host: 'h', port: 5432 },
    );
    expect(() => validateWarehouseSettings('postgres', { port: 'x', host: 'h', extra: 1 })).toThrow(
      'invalid postgres warehouse settings: settings need url, or host + user + database; ' +
        'settings must NOT have additional properties (extra); port must be integer',
    );
    expect(() => validateWarehouseSettings('duckdb', {})).toThrow("must have required property 'path'");
    expect(() => validateWarehouseSettings('snowflake', {})).toThrow('unknown warehouse kind');
  });
});

describe('integrations rules for warehouses', () => {
  it('lets All:false through but honours Warehouses.all and Warehouses.warehouseIds', () => {
    expect(warehouseAllowed(undefined, 'w1')).toBe(true);
    expect(warehouseAllowed({ All: false }, 'w1')).toBe(true);
    expect(warehouseAllowed({ Warehouses: { all: false } }, 'w1')).toBe(false);
    expect(warehouseAllowed({ Warehouses: false }, 'w1')).toBe(false);
    expect(warehouseAllowed({ Warehouses: { warehouseIds: ['w2'] } }, 'w1')).toBe(false);
    expect(warehouseAllowed({ Warehouses: { all: false, warehouseIds: ['w1'] } }, 'w1')).toBe(true);
  });

  it('reads a null rule, or a rule of no known shape, as absent', () => {
    // JSON from an SDK or a hand-written request, not what the type allows.
    const sent = (rule: unknown) => JSON.parse(JSON.stringify({ Warehouses: rule })) as IntegrationsObject;
    expect(warehouseAllowed(sent(null), 'w1')).toBe(true);
    expect(warehouseAllowed(sent('false'), 'w1')).toBe(true);
    expect(warehouseAllowed(sent([]), 'w1')).toBe(true);
    expect(warehouseAllowed(sent({ all: null, warehouseIds: null }), 'w1')).toBe(true);
    expect(warehouseAllowed(null, 'w1')).toBe(true);
  });
});

describe('load records', () => {
  it('are keyed by warehouse and carry the record as JSON', () => {
    const record: WarehouseLoadRecord = {
      loadId: 'l1',
      warehouseId: 'w1',
      workspaceId: 'ws',
      sourceId: 's1',
      schema: 'web',
      status: 'partial',
      startedAt: '2026-03-01T10:00:00.000Z',
      finishedAt: '2026-03-01T10:00:01.000Z',
      events: 2,
      rowsByTable: { tracks: 2 },
      rows: 2,
      tablesCreated: ['tracks'],
      columnsAdded: [],
      notices: [
        {
          kind: 'type_conflict',
          table: 'tracks',
          column: 'x',
          columnType: 'integer',
          valueType: 'string',
          action: 'dropped',
          count: 1,
        },
      ],
      errors: [],
      skipped: [{ messageId: 'm-9', reason: 'row is too big (SQLSTATE 54000)' }],
      skippedEvents: 1,
      attempt: 1,
    };
    const { key, value } = encodeLoadRecord(record);
    expect(key).toBe('w1');
    expect(JSON.parse(value)).toEqual(record);
  });
});
