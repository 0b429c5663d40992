import type { CellValue, ColumnType } from './column-types';
import type { SourceBatch, TableData } from './source-batch';

/** One value of a batch: a column of a table (a single event's batch has one row per table). */
export interface CellRef {
  table: string;
  column: string;
}

/**
 * Columns an event's row cannot go without: its id (the key every merge and dedupe relies on),
 * when it arrived and was loaded, and the track's event name that ties `tracks` to its event table.
 * A value the warehouse refuses in one of them sets the event aside whole.
 */
const KEPT_COLUMNS = new Set(['id', 'received_at', 'uuid_ts', 'event', 'event_text']);

/** The values of a batch that could be loaded without (every table's, system columns above aside). */
export function droppableCells(batch: SourceBatch): CellRef[] {
  const cells: CellRef[] = [];
  for (const table of batch.tables.values()) {
    for (const [column, position] of table.positions) {
      if (KEPT_COLUMNS.has(column)) continue;
      if (table.rows.some((row) => row[position] !== undefined && row[position] !== null)) {
        cells.push({ table: table.name, column });
      }
    }
  }
  return cells;
}

/**
 * A copy of `batch` without these values: their columns are left out of their tables, so a load
 * neither writes them nor adds a column for them. The copy has rows of its own (planLoad fills a
 * batch's rows in place), so one laid-out event can be tried without different values again and again.
 */
export function batchWithoutCells(batch: SourceBatch, drop: readonly CellRef[]): SourceBatch {
  const tables = new Map<string, TableData>();
  for (const [name, table] of batch.tables) {
    const dropped = new Set(drop.filter((c) => c.table === name).map((c) => c.column));
    tables.set(name, tableWithout(table, dropped));
  }
  return { ...batch, tables };
}

function tableWithout(table: TableData, dropped: ReadonlySet<string>): TableData {
  const columns = new Map<string, ColumnType>();
  const positions = new Map<string, number>();
  const mixed: boolean[] = [];
  const kept: number[] = [];
  for (const [column, type] of table.columns) {
    if (dropped.has(column)) continue;
    const from = table.positions.get(column) as number;
    positions.set(column, kept.length);
    columns.set(column, type);
    mixed.push(table.mixed[from] === true);
    kept.push(from);
  }
  const rows = table.rows.map((row) => kept.map((from): CellValue | undefined => row[from]));
  return { ...table, columns, positions, mixed, rows };
}
