import { coerce, fitsType, typeOfValue, type CellValue, type ColumnType } from './column-types';
import type { LoadNotice } from './notices';
import { NoticeCounter } from './notices';
import type { SourceBatch, TableData } from './source-batch';

/** What a warehouse already has: table → column → type. */
export type SchemaCatalog = Map<string, Map<string, ColumnType>>;

/** PostgreSQL allows 1,600 columns per table; a margin is left for columns added by hand. */
export const MAX_COLUMNS = 1500;

export interface ColumnSpec {
  name: string;
  type: ColumnType;
}

export interface TablePlan {
  name: string;
  kind: TableData['kind'];
  /** The table does not exist yet: create it with `columns`. */
  create: boolean;
  /** Columns the existing table lacks, to add before loading (ALTER TABLE … ADD COLUMN). */
  addColumns: ColumnSpec[];
  /** The columns this load writes, `id` first; each row has one cell per column. */
  columns: ColumnSpec[];
  rows: Array<Array<CellValue | null>>;
}

export interface LoadPlan {
  schema: string;
  /** Whether the schema itself must be created. */
  createSchema: boolean;
  tables: TablePlan[];
  notices: LoadNotice[];
  /** No string cell holds a backslash, tab, CR or LF (SourceBatch.plainText): COPY text as is. */
  plainText: boolean;
}

/**
 * Fits a laid-out batch to the warehouse as it is: new tables and columns take the batch's
 * first-seen types, existing columns keep theirs, and values of another type are cast or
 * dropped with a notice (segment-spec.md §4.4). The engines only execute the plan. The plan takes
 * over the batch's row arrays (filling them in place instead of copying every row), so a batch
 * is planned once.
 */
export function planLoad(
  batch: SourceBatch,
  catalog: SchemaCatalog | undefined,
  options: { maxColumns?: number } = {},
): LoadPlan {
  const notices = new NoticeCounter();
  notices.addAll(batch.notices.list());
  const maxColumns = options.maxColumns ?? MAX_COLUMNS;
  const tables: TablePlan[] = [];
  for (const table of batch.tables.values()) {
    tables.push(planTable(table, catalog?.get(table.name), notices, maxColumns));
  }
  return {
    schema: batch.schema,
    createSchema: catalog === undefined,
    tables,
    notices: notices.list(),
    // Casts only produce numbers' and dates' text, which never needs escaping.
    plainText: batch.plainText === true,
  };
}

function planTable(
  table: TableData,
  existing: Map<string, ColumnType> | undefined,
  notices: NoticeCounter,
  maxColumns: number,
): TablePlan {
  const columns: ColumnSpec[] = [];
  const addColumns: ColumnSpec[] = [];
  /** For each planned column, its cell position in the batch's rows, and whether to check its cells. */
  const positions: number[] = [];
  const check: boolean[] = [];
  let width = existing?.size ?? 0;
  let position = -1;
  for (const [name, batchType] of table.columns) {
    position++;
    const current = existing?.get(name);
    if (current === undefined && width >= maxColumns) {
      // A table that would outgrow the engine's limit would fail every later load.
      notices.add({ kind: 'column_limit', table: table.name, column: name }, countValues(table, position));
      continue;
    }
    if (current === undefined) width++;
    const spec = { name, type: current ?? batchType };
    columns.push(spec);
    positions.push(position);
    // Cells of a column whose every value fitted the batch's type need no look when the
    // warehouse's type is that one too: the common case, and most of a load's cells.
    check.push(table.mixed[position] === true || spec.type !== batchType);
    if (existing && current === undefined) addColumns.push(spec);
  }
  // `id` first, so engines and tests can rely on it (the layout puts it first already).
  const idAt = columns.findIndex((c) => c.name === 'id');
  if (idAt > 0) {
    for (const list of [columns, positions, check] as unknown[][]) list.unshift(...list.splice(idAt, 1));
  }

  const columnCount = columns.length;
  const inPlace = columnCount === table.columns.size && positions.every((p, i) => p === i);
  const checked = check.flatMap((c, i) => (c ? [i] : []));
  const rows = table.rows as Array<Array<CellValue | null | undefined>>;
  const planned: Array<Array<CellValue | null>> = new Array<Array<CellValue | null>>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as Array<CellValue | null | undefined>;
    let cells: Array<CellValue | null | undefined>;
    if (inPlace) {
      // The batch's own row array becomes the plan's: no copy per row.
      cells = row;
      for (let i = 0; i < columnCount; i++) if (cells[i] === undefined) cells[i] = null;
    } else {
      cells = new Array<CellValue | null>(columnCount);
      for (let i = 0; i < columnCount; i++) cells[i] = row[positions[i] as number] ?? null;
    }
    for (const i of checked) {
      const value = cells[i];
      const spec = columns[i] as ColumnSpec;
      if (value !== null && value !== undefined && !fitsType(value, spec.type)) {
        cells[i] = fit(value, spec.type, table.name, spec.name, notices);
      }
    }
    planned[r] = cells as Array<CellValue | null>;
  }
  return { name: table.name, kind: table.kind, create: existing === undefined, addColumns, columns, rows: planned };
}

/** A value of another type than its column: cast, or dropped, with a notice either way. */
function fit(
  value: CellValue,
  type: ColumnType,
  table: string,
  column: string,
  notices: NoticeCounter,
): CellValue | null {
  const valueType = typeOfValue(value);
  const fitted = coerce(value, valueType, type);
  if (!fitted.ok || fitted.cast) {
    notices.add({
      kind: 'type_conflict',
      table,
      column,
      columnType: type,
      valueType,
      action: fitted.ok ? 'cast' : 'dropped',
    });
  }
  return fitted.ok ? fitted.value : null;
}

function countValues(table: TableData, position: number): number {
  let count = 0;
  for (const row of table.rows) if (row[position] !== undefined) count++;
  return count;
}
