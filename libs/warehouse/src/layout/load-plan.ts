import { coerce, isTimestampString, typeOfValue, type CellValue, type ColumnType } from './column-types';
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
 * dropped with a notice (segment-spec.md §4.4). Pure: the engines only execute the plan.
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
  let width = existing?.size ?? 0;
  for (const [name, batchType] of table.columns) {
    const current = existing?.get(name);
    if (current === undefined && width >= maxColumns) {
      // A table that would outgrow the engine's limit would fail every later load.
      notices.add({ kind: 'column_limit', table: table.name, column: name }, countValues(table, name));
      continue;
    }
    if (current === undefined) width++;
    const spec = { name, type: current ?? batchType };
    columns.push(spec);
    if (existing && current === undefined) addColumns.push(spec);
  }
  // `id` first, so engines and tests can rely on it.
  columns.sort((a, b) => (a.name === 'id' ? -1 : b.name === 'id' ? 1 : 0));

  // Plain loops over precomputed arrays: this runs for every cell of every load.
  const columnCount = columns.length;
  const names = columns.map((c) => c.name);
  const types = columns.map((c) => c.type);
  const rows: Array<Array<CellValue | null>> = new Array<Array<CellValue | null>>(table.rows.length);
  for (let r = 0; r < table.rows.length; r++) {
    const row = table.rows[r] as Map<string, CellValue>;
    const cells = new Array<CellValue | null>(columnCount);
    for (let i = 0; i < columnCount; i++) {
      const value = row.get(names[i] as string);
      const type = types[i] as ColumnType;
      cells[i] =
        value === undefined
          ? null
          : fits(value, type)
            ? value
            : fit(value, type, table.name, names[i] as string, notices);
    }
    rows[r] = cells;
  }
  return { name: table.name, kind: table.kind, create: existing === undefined, addColumns, columns, rows };
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

/** The common case, decided from the JS type alone (and, for timestamps, a strict format check). */
function fits(value: CellValue, type: ColumnType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'float':
      return typeof value === 'number';
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'timestamp':
      return typeof value === 'string' && isTimestampString(value);
  }
}

function countValues(table: TableData, column: string): number {
  let count = 0;
  for (const row of table.rows) if (row.has(column)) count++;
  return count;
}
