import type { CallType, SpecEvent } from '@manifold/events';
import { fitsType, isTimestampString, typeOfValue, type CellValue, type ColumnType } from './column-types';
import { eventRows, RowCells, type Row } from './event-rows';
import { NoticeCounter } from './notices';
import { systemColumnType } from './system-columns';

export interface LayoutOptions {
  /** The source's schema (schemaNameForSource). */
  schema: string;
  /** When this load processed the rows (the `uuid_ts` column), ISO-8601. */
  uuidTs: string;
  /** Strings longer than this are cut (Segment: 512). */
  maxStringLength: number;
}

export interface TableData {
  name: string;
  /** 'users' tables are upserted on `id`; event tables are appended and deduplicated on `id`. */
  kind: 'events' | 'users';
  call: CallType | 'users';
  /** Each column with the type of the first non-null value this batch has for it, in cell order. */
  columns: Map<string, ColumnType>;
  /** Column → its cell's position in every row. */
  positions: Map<string, number>;
  /**
   * Per column (cell order): true once some value did not fit the column's type, so the plan
   * must check that column's cells (cast or drop them); false columns need no check.
   */
  mixed: boolean[];
  /**
   * Cells by position. A row may be shorter than the column list, or have holes: no value
   * (columns first met in later rows, or absent from this event).
   */
  rows: Array<Array<CellValue | undefined>>;
}

export interface SourceBatch {
  schema: string;
  tables: Map<string, TableData>;
  notices: NoticeCounter;
  /** Events laid out (after removing repeated message ids). */
  events: number;
  /** Events dropped because an earlier one in the batch had the same message id. */
  duplicates: number;
  /**
   * No string in any row holds a backslash, tab, CR or LF, so COPY text needs no escaping. True
   * only when every event was added with its raw JSON and none of those had a backslash: JSON
   * cannot carry those characters (nor a quote, inside an array laid out as JSON) without one.
   */
  plainText?: boolean;
}

/**
 * Lays out one source's events as table rows: pure data, no database. Repeated message ids keep
 * their first event; each user's identifies are folded into one `users` row (see foldUser).
 */
export function buildSourceBatch(events: Iterable<SpecEvent>, options: LayoutOptions): SourceBatch {
  const builder = new SourceBatchBuilder(options);
  for (const event of events) builder.add(event);
  return builder.finish();
}

const BACKSLASH = 0x5c;

/** buildSourceBatch one event at a time, so a caller can lay out a large batch in slices. */
export class SourceBatchBuilder {
  private readonly tables = new Map<string, TableData>();
  private readonly notices = new NoticeCounter();
  private readonly seen = new Set<string>();
  private readonly users = new Map<string, Row>();
  private count = 0;
  private duplicates = 0;
  private plainText = true;
  private readonly flattenOptions: { maxStringLength: number };
  private readonly cells = new RowCells();

  constructor(private readonly options: LayoutOptions) {
    this.flattenOptions = { maxStringLength: options.maxStringLength };
  }

  /** `rawJson`: the JSON the event was parsed from, when the caller has it (see SourceBatch.plainText). */
  add(event: SpecEvent, rawJson?: Buffer): void {
    if (this.plainText && (rawJson === undefined || rawJson.includes(BACKSLASH))) this.plainText = false;
    if (this.seen.has(event.messageId)) {
      this.duplicates++;
      return;
    }
    this.seen.add(event.messageId);
    this.count++;
    const cells = this.cells;
    const laidOut = eventRows(event, this.options.uuidTs, this.flattenOptions, this.notices, cells);
    for (const { table, call, width } of laidOut.tables) {
      addRow(this.tables, table, 'events', call, cells.names, cells.values, width, cells.isTimestamp);
    }
    if (laidOut.user) {
      const id = laidOut.user.get('id') as string;
      const existing = this.users.get(id);
      this.users.set(id, existing ? foldUser(existing, laidOut.user) : laidOut.user);
    }
  }

  finish(): SourceBatch {
    for (const row of this.users.values()) {
      addRow(this.tables, 'users', 'users', 'users', [...row.keys()], [...row.values()], row.size);
    }
    this.users.clear();
    return {
      schema: this.options.schema,
      tables: this.tables,
      notices: this.notices,
      events: this.count,
      duplicates: this.duplicates,
      plainText: this.plainText && this.count > 0,
    };
  }
}

/**
 * Adds a row of `names`/`values` (their first `width` entries) to a table: each value goes to its
 * column's position, a new column takes the next one with the type of its first value, and a
 * value that does not fit its column's type marks the column for the plan to check.
 */
function addRow(
  tables: Map<string, TableData>,
  name: string,
  kind: TableData['kind'],
  call: TableData['call'],
  names: readonly string[],
  values: readonly CellValue[],
  width: number,
  isTimestamp: Array<boolean | undefined> = [],
): void {
  let table = tables.get(name);
  if (!table) {
    table = { name, kind, call, columns: new Map(), positions: new Map(), mixed: [], rows: [] };
    tables.set(name, table);
  }
  const { columns, positions, mixed } = table;
  const row = new Array<CellValue | undefined>(columns.size);
  for (let i = 0; i < width; i++) {
    const column = names[i] as string;
    const value = values[i] as CellValue;
    let position = positions.get(column);
    if (position === undefined) {
      position = columns.size;
      const type = systemColumnType(call, column) ?? typeOfValue(value);
      columns.set(column, type);
      positions.set(column, position);
      mixed.push(!fitsCell(value, type, isTimestamp, i));
    } else if (!mixed[position] && !fitsCell(value, columns.get(column) as ColumnType, isTimestamp, i)) {
      mixed[position] = true;
    }
    row[position] = value;
  }
  table.rows.push(row);
}

/** fitsType, with the cell's timestamp check remembered in `isTimestamp[i]`. */
function fitsCell(value: CellValue, type: ColumnType, isTimestamp: Array<boolean | undefined>, i: number): boolean {
  if (type !== 'timestamp') return fitsType(value, type);
  if (typeof value !== 'string') return false;
  return (isTimestamp[i] ??= isTimestampString(value));
}

/**
 * Merges two identifies of one user into the state `users` should hold: the later one (by
 * received_at) wins for every trait it has; traits only the earlier one has are kept. The same
 * rule merges with the stored row, so the result does not depend on arrival order or redelivery.
 */
export function foldUser(a: Row, b: Row): Row {
  const [older, newer] = receivedAt(b) >= receivedAt(a) ? [a, b] : [b, a];
  const merged: Row = new Map<string, CellValue>(older);
  for (const [column, value] of newer) merged.set(column, value);
  return merged;
}

function receivedAt(row: Row): number {
  const ms = Date.parse(String(row.get('received_at') ?? ''));
  return Number.isNaN(ms) ? 0 : ms;
}
