// PostgreSQL's row size as the plan applies it (no database here; engines.test.ts loads the
// same rows into a real one).
import { buildSourceBatch, planLoad, type TablePlan } from '../../layout';
import { numericProperties, sampleEvents } from '../../testing';
import { POSTGRES_ROW_SIZE, postgresLimits } from './limits';

const options = { schema: 'web', uuidTs: '2026-03-01T10:05:00.000Z', maxStringLength: 512 };

function cellsOf(t: TablePlan, row: number): Record<string, unknown> {
  return Object.fromEntries(t.columns.map((c, i) => [c.name, t.rows[row]?.[i]]));
}

describe('PostgreSQL row size in the plan', () => {
  it('measures a row as PostgreSQL stores it', () => {
    // 1,101 columns without nulls: 24 bytes of header, 'a' in 2, then 1,100 doubles from byte 8.
    expect(POSTGRES_ROW_SIZE.headerBytes(1101)).toBe(168);
    expect(POSTGRES_ROW_SIZE.cellBytes('string', 'a')).toBe(2);
    expect(POSTGRES_ROW_SIZE.cellBytes('string', 'é'.repeat(11))).toBe(23);
    expect(POSTGRES_ROW_SIZE.cellBytes('string', 'é'.repeat(12))).toBe(27);
    expect(POSTGRES_ROW_SIZE.cellBytes('float', 1.5)).toBe(8);
    expect(POSTGRES_ROW_SIZE.alignment('timestamp')).toBe(8);
  });

  it('keeps what fits of a row with 1,100 numeric properties and moves the rest to _overflow', () => {
    const big = sampleEvents.track({ event: 'Telemetry', properties: numericProperties(1100) });
    const small = sampleEvents.track({ event: 'Telemetry', properties: { metric_0: 1, metric_1099: 2 } });
    const plan = planLoad(buildSourceBatch([big, small], options), undefined, { limits: postgresLimits(new Map()) });
    const t = plan.tables.find((x) => x.name === 'telemetry') as TablePlan;
    // Every property has its column: other rows can use them.
    expect(t.columns).toHaveLength(13 + 1100 + 1);
    const row = cellsOf(t, 0);
    const overflow = JSON.parse(row['_overflow'] as string) as Record<string, number>;
    const kept = Object.keys(row).filter((k) => k.startsWith('metric_') && row[k] !== null);
    // The columns' order decides: the first ones stay, the rest move, nothing is lost.
    expect(kept.length).toBeGreaterThan(950);
    expect(kept.length + Object.keys(overflow).length).toBe(1100);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => `metric_${i}`));
    expect(overflow[`metric_${kept.length}`]).toBe(kept.length + 0.5);
    expect(row['id']).toBe(big.messageId);
    expect(row['event_text']).toBe('Telemetry');
    // The small row is untouched.
    expect(cellsOf(t, 1)).toMatchObject({ metric_0: 1, metric_1099: 2, _overflow: null });
    expect(plan.notices).toEqual([
      { kind: 'overflow', table: 'telemetry', reason: 'row_size', count: Object.keys(overflow).length },
    ]);
  });

  it('leaves the rows of a table that cannot outgrow a page alone', () => {
    const plan = planLoad(
      buildSourceBatch([sampleEvents.track({ properties: numericProperties(200) })], options),
      undefined,
      { limits: postgresLimits(new Map()) },
    );
    const t = plan.tables.find((x) => x.name === 'order_completed') as TablePlan;
    expect(t.columns.map((c) => c.name)).not.toContain('_overflow');
    expect(plan.notices).toEqual([]);
  });
});
