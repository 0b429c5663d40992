import { coerce, fitsType, typeOfValue, type CellValue, type ColumnType } from './column-types';
import type { LoadNotice } from './notices';
import { NoticeCounter } from './notices';
import { TableOverflow } from './overflow';
import type { RowSizeLimit } from './row-fit';
import type { SourceBatch, TableData } from './source-batch';

/** What a warehouse already has: table → column → type. */
export type SchemaCatalog = Map<string, Map<string, ColumnType>>;

/**
 * The most columns the layout gives a table, on every engine: PostgreSQL allows 1,600 per table
 * (dropped ones included), and a margin is left for columns added by hand. DuckDB has no limit a
 * table of properties reaches; the same cap keeps both engines' layouts alike.
 */
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
 * What the warehouse allows, as far as the plan must respect it to keep every load loadable. A
 * table that outgrows its engine (too many columns, a row larger than a page) fails every later
 * load of its source, so the plan keeps within these and moves what does not fit to the
 * table's overflow column (see planTable).
 */
export interface WarehouseLimits {
  /** Columns a table can hold (PostgreSQL: 1,600, dropped columns included). */
  maxColumns: number;
  /** Per table, dropped columns the engine still counts against `maxColumns` (PostgreSQL). */
  droppedColumns?: ReadonlyMap<string, number>;
  /** For engines that keep each row inside one page (PostgreSQL). */
  rowSize?: RowSizeLimit;
}

export interface PlanOptions {
  /** The most columns the layout gives a table, overflow column aside. Default MAX_COLUMNS. */
  maxColumns?: number;
  /** The engine's own limits; none (no engine) plans as if there were none. */
  limits?: WarehouseLimits;
}

/**
 * Fits a laid-out batch to the warehouse as it is: new tables and columns take the batch's
 * first-seen types, existing columns keep theirs, and values of another type are cast or dropped
 * with a notice (types: libs/warehouse/README.md#layout). The engines only execute the plan. The
 * plan takes over the batch's row arrays (filling them in place instead of copying every row), so a
 * batch is planned once.
 */
export function planLoad(batch: SourceBatch, catalog: SchemaCatalog | undefined, options: PlanOptions = {}): LoadPlan {
  const notices = new NoticeCounter();
  notices.addAll(batch.notices.list());
  const maxColumns = options.maxColumns ?? MAX_COLUMNS;
  const tables: TablePlan[] = [];
  let escaped = false;
  for (const table of batch.tables.values()) {
    const planned = planTable(table, catalog?.get(table.name), notices, maxColumns, options.limits);
    tables.push(planned.plan);
    escaped ||= planned.escaped;
  }
  return {
    schema: batch.schema,
    createSchema: catalog === undefined,
    tables,
    notices: notices.list(),
    // Casts only produce numbers' and dates' text, which never needs escaping; overflow JSON may.
    plainText: batch.plainText === true && !escaped,
  };
}

/**
 * Plans one table. Past the column limit (the layout's cap, or the engine's less its dropped
 * columns and one kept free for the overflow column), a new property gets no column: its values
 * go to the row's `_overflow` JSON object, keyed by the column name they would have had. On an
 * engine with a row size limit, a row that would be too big keeps what fits (RowFitter) and the
 * rest goes there too. Each is reported with an `overflow` notice; nothing is dropped unless the
 * table has no room even for the overflow column (a table widened by hand).
 */
function planTable(
  table: TableData,
  existing: Map<string, ColumnType> | undefined,
  notices: NoticeCounter,
  maxColumns: number,
  limits: WarehouseLimits | undefined,
): { plan: TablePlan; escaped: boolean } {
  const columns: ColumnSpec[] = [];
  const addColumns: ColumnSpec[] = [];
  /** For each planned column, its cell position in the batch's rows, and whether to check its cells. */
  const positions: number[] = [];
  const check: boolean[] = [];
  const overflow = new TableOverflow(table.name, existing, limits?.droppedColumns?.get(table.name) ?? 0, limits);
  let width = overflow.layoutWidth;
  const columnCap = Math.min(maxColumns, overflow.engineCap - 1);
  let position = -1;
  for (const [name, batchType] of table.columns) {
    position++;
    const current = existing?.get(name);
    if (current === undefined && width >= columnCap) {
      // A table that outgrew the engine's limit would fail every later load.
      overflow.noColumnFor(name, position);
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
  overflow.rowFitter(table.call, columns, addColumns);
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
    if (overflow.active) overflow.row(r, row, cells as Array<CellValue | null>);
  }
  const escaped = overflow.finish(columns, addColumns, planned, notices);
  return {
    plan: { name: table.name, kind: table.kind, create: existing === undefined, addColumns, columns, rows: planned },
    escaped,
  };
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
