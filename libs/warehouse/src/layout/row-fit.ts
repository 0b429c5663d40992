import type { CellValue, ColumnType } from './column-types';

/**
 * How an engine that keeps each row inside one fixed-size page (PostgreSQL's heap) stores a row,
 * as far as the plan needs it to keep rows loadable: a row larger than `maxBytes` is refused, and
 * would fail every later load of its batch.
 */
export interface RowSizeLimit {
  /** The largest row the engine stores, in bytes. */
  readonly maxBytes: number;
  /** The row header of a table with this many attributes (dropped ones included). */
  headerBytes(attributes: number): number;
  /** The most bytes this value takes once stored (long text counts as what it is moved out to). */
  cellBytes(type: ColumnType, value: CellValue): number;
  /** The most bytes any value of this type takes once stored. */
  maxCellBytes(type: ColumnType): number;
  /** The boundary a value of this type starts on. */
  alignment(type: ColumnType): number;
}

export interface FitColumn {
  name: string;
  type: ColumnType;
  /** A Segment system column (id, timestamps, …): always kept in its column. */
  system: boolean;
}

function alignUp(offset: number, alignment: number): number {
  return alignment <= 1 ? offset : Math.ceil(offset / alignment) * alignment;
}

/**
 * Keeps the rows of one table within an engine's row size. A row that would be too big keeps its
 * system columns, then the other values in the table's column order until the next one would not
 * fit; that value and every later one move to the overflow object instead.
 *
 * Sizes are upper bounds. Values are laid out in the table's physical column order, each on its
 * type's boundary; the movable values are measured exactly in that order, and each system value
 * is charged the most it can add wherever it sits (its size and alignment, rounded up to 8, the
 * largest alignment), so the row's real size never exceeds the sum.
 */
export class RowFitter {
  /** Values moved to the overflow object so far. */
  moved = 0;
  private readonly header: number;
  private readonly overflowReserve: number;

  private constructor(
    private readonly limit: RowSizeLimit,
    private readonly columns: readonly FitColumn[],
    /** Plan column indexes in the table's physical order. */
    private readonly order: readonly number[],
    attributes: number,
  ) {
    this.header = limit.headerBytes(attributes);
    this.overflowReserve = alignUp(limit.maxCellBytes('json'), 8);
  }

  /**
   * A fitter for a table, or undefined when no row can be too big whatever its values: then
   * rows are not measured at all (every table of ordinary width).
   */
  static forTable(
    limit: RowSizeLimit,
    columns: readonly FitColumn[],
    order: readonly number[],
    attributes: number,
  ): RowFitter | undefined {
    let end = 0;
    for (const i of order) {
      const type = (columns[i] as FitColumn).type;
      end = alignUp(end, limit.alignment(type)) + limit.maxCellBytes(type);
    }
    const fitter = new RowFitter(limit, columns, order, attributes);
    return fitter.header + end + fitter.overflowReserve <= limit.maxBytes ? undefined : fitter;
  }

  /**
   * Moves values of `cells` (nulled in place) into `spill` when the row would be too big, and
   * returns `spill` (created if needed). `spill` holds values that already go to the overflow.
   */
  fit(
    cells: Array<CellValue | null>,
    spill: Record<string, CellValue> | undefined,
  ): Record<string, CellValue> | undefined {
    const { limit, columns, order } = this;
    let end = 0;
    for (const i of order) {
      const value = cells[i];
      if (value === null || value === undefined) continue;
      const type = (columns[i] as FitColumn).type;
      end = alignUp(end, limit.alignment(type)) + limit.cellBytes(type, value);
    }
    if (this.header + end + (spill ? this.overflowReserve : 0) <= limit.maxBytes) return spill;

    let fixed = this.header + this.overflowReserve;
    for (const i of order) {
      const value = cells[i];
      const column = columns[i] as FitColumn;
      if (!column.system || value === null || value === undefined) continue;
      fixed += alignUp(limit.cellBytes(column.type, value) + limit.alignment(column.type) - 1, 8);
    }
    let offset = 0;
    let full = false;
    for (const i of order) {
      const value = cells[i];
      const column = columns[i] as FitColumn;
      if (column.system || value === null || value === undefined) continue;
      if (!full) {
        const next = alignUp(offset, limit.alignment(column.type)) + limit.cellBytes(column.type, value);
        if (fixed + next <= limit.maxBytes) {
          offset = next;
          continue;
        }
        full = true;
      }
      (spill ??= {})[column.name] = value;
      cells[i] = null;
      this.moved++;
    }
    return spill;
  }
}
