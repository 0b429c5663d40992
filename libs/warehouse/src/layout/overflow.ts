import type { CallType } from '@manifold/events';
import type { CellValue, ColumnType } from './column-types';
import type { ColumnSpec, WarehouseLimits } from './load-plan';
import type { NoticeCounter } from './notices';
import { RowFitter, type FitColumn } from './row-fit';
import { OVERFLOW_COLUMN, systemColumnType } from './system-columns';

// Lone UTF-16 surrogates: JSON.stringify escapes them as \udXXX, which PostgreSQL's jsonb refuses.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function wellFormed(_key: string, value: unknown): unknown {
  // The replacement character is what any UTF-8 column stores for them too.
  return typeof value === 'string' ? value.replace(LONE_SURROGATE, '\uFFFD') : value;
}

/**
 * The overflow of one table in one plan: the values that get no column of their own, as a JSON
 * object per row in the `_overflow` column (jsonb on PostgreSQL, JSON on DuckDB), keyed by the
 * column name each value would have had. Does nothing (and costs nothing per row) unless some
 * column was refused or some row can be too big.
 */
export class TableOverflow {
  /** Columns of the existing table, the overflow column aside. */
  readonly layoutWidth: number;
  /** Columns the engine lets this table have, less those dropped but still counted. */
  readonly engineCap: number;
  /** Whether rows must be looked at: some column was refused, or some row may be too big. */
  active = false;
  private readonly existingType: ColumnType | undefined;
  private readonly refused: Array<{ name: string; position: number; count: number }> = [];
  private available = true;
  private fitter: RowFitter | undefined;
  private cells: Array<string | undefined> | undefined;

  constructor(
    private readonly table: string,
    private readonly existing: Map<string, ColumnType> | undefined,
    private readonly dropped: number,
    private readonly limits: WarehouseLimits | undefined,
  ) {
    this.existingType = existing?.get(OVERFLOW_COLUMN);
    this.layoutWidth = (existing?.size ?? 0) - (this.existingType === undefined ? 0 : 1);
    this.engineCap = (limits?.maxColumns ?? Number.POSITIVE_INFINITY) - dropped;
  }

  /** A column of the batch the table has no room for: its values go to the overflow. */
  noColumnFor(name: string, position: number): void {
    this.refused.push({ name, position, count: 0 });
    this.active = true;
  }

  /**
   * Called once the plan's columns are known: whether the overflow column can exist, and the row
   * fitter when the engine limits rows and this table's rows can outgrow it.
   */
  rowFitter(call: CallType | 'users', columns: readonly ColumnSpec[], addColumns: readonly ColumnSpec[]): void {
    const newColumns = this.existing ? addColumns.length : columns.length;
    this.available =
      this.existingType === undefined
        ? this.layoutWidth + newColumns + 1 <= this.engineCap
        : this.existingType === 'json' || this.existingType === 'string';
    const rowSize = this.limits?.rowSize;
    if (!rowSize || !this.available) return;
    const fitColumns: FitColumn[] = columns.map((c) => ({
      name: c.name,
      type: c.type,
      system: systemColumnType(call, c.name) !== undefined,
    }));
    const attributes =
      (this.existing?.size ?? 0) + this.dropped + newColumns + (this.existingType === undefined ? 1 : 0);
    this.fitter = RowFitter.forTable(rowSize, fitColumns, this.physicalOrder(columns), attributes);
    if (this.fitter) this.active = true;
  }

  /** Moves a planned row's values to its overflow object where needed. */
  row(index: number, batchRow: ReadonlyArray<CellValue | null | undefined>, cells: Array<CellValue | null>): void {
    let spill: Record<string, CellValue> | undefined;
    for (const refused of this.refused) {
      const value = batchRow[refused.position];
      if (value === undefined || value === null) continue;
      refused.count++;
      if (this.available) (spill ??= {})[refused.name] = value;
    }
    if (this.fitter) spill = this.fitter.fit(cells, spill);
    if (spill) (this.cells ??= [])[index] = JSON.stringify(spill, wellFormed);
  }

  /**
   * Reports what moved (or, with no room for the overflow column, what was dropped) and adds the
   * overflow column to the plan when some row uses it. True when some overflow text holds a
   * backslash, so COPY text must be escaped.
   */
  finish(
    columns: ColumnSpec[],
    addColumns: ColumnSpec[],
    rows: Array<Array<CellValue | null>>,
    notices: NoticeCounter,
  ): boolean {
    for (const { name, count } of this.refused) {
      if (count === 0) continue;
      if (this.available)
        notices.add({ kind: 'overflow', table: this.table, reason: 'column_limit', column: name }, count);
      else notices.add({ kind: 'column_limit', table: this.table, column: name }, count);
    }
    if (this.fitter && this.fitter.moved > 0) {
      notices.add({ kind: 'overflow', table: this.table, reason: 'row_size' }, this.fitter.moved);
    }
    const cells = this.cells;
    if (!cells) return false;
    const spec: ColumnSpec = { name: OVERFLOW_COLUMN, type: this.existingType ?? 'json' };
    columns.push(spec);
    if (this.existing && this.existingType === undefined) addColumns.push(spec);
    let escaped = false;
    for (let r = 0; r < rows.length; r++) {
      const json = cells[r];
      (rows[r] as Array<CellValue | null>).push(json ?? null);
      if (json !== undefined && !escaped && json.includes('\\')) escaped = true;
    }
    return escaped;
  }

  /** Plan column indexes in the order the table stores its columns: existing ones, then added ones. */
  private physicalOrder(columns: readonly ColumnSpec[]): number[] {
    const order = columns.map((_, i) => i);
    if (!this.existing) return order;
    const rank = new Map<string, number>();
    for (const name of this.existing.keys()) rank.set(name, rank.size);
    let added = this.existing.size;
    const ranks = columns.map((c) => rank.get(c.name) ?? added++);
    return order.sort((a, b) => (ranks[a] as number) - (ranks[b] as number));
  }
}
