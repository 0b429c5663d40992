import type { CallType, SpecEvent } from '@manifold/events';
import { typeOfValue, type CellValue, type ColumnType } from './column-types';
import { eventRows, type Row } from './event-rows';
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
  /** Each column with the type of the first non-null value this batch has for it. */
  columns: Map<string, ColumnType>;
  rows: Row[];
}

export interface SourceBatch {
  schema: string;
  tables: Map<string, TableData>;
  notices: NoticeCounter;
  /** Events laid out (after removing repeated message ids). */
  events: number;
  /** Events dropped because an earlier one in the batch had the same message id. */
  duplicates: number;
}

/**
 * Lays out one source's events as table rows: pure data, no database. Repeated message ids keep
 * their first event; each user's identifies are folded into one `users` row (see foldUser).
 */
export function buildSourceBatch(events: Iterable<SpecEvent>, options: LayoutOptions): SourceBatch {
  const tables = new Map<string, TableData>();
  const notices = new NoticeCounter();
  const seen = new Set<string>();
  const users = new Map<string, Row>();
  let count = 0;
  let duplicates = 0;
  const flattenOptions = { maxStringLength: options.maxStringLength };

  for (const event of events) {
    if (seen.has(event.messageId)) {
      duplicates++;
      continue;
    }
    seen.add(event.messageId);
    count++;
    const laidOut = eventRows(event, options.uuidTs, flattenOptions, notices);
    for (const { table, call, row } of laidOut.rows) addRow(tables, table, 'events', call, row);
    if (laidOut.user) {
      const id = laidOut.user.get('id') as string;
      const existing = users.get(id);
      users.set(id, existing ? foldUser(existing, laidOut.user) : laidOut.user);
    }
  }
  for (const row of users.values()) addRow(tables, 'users', 'users', 'users', row);
  return { schema: options.schema, tables, notices, events: count, duplicates };
}

function addRow(
  tables: Map<string, TableData>,
  name: string,
  kind: TableData['kind'],
  call: TableData['call'],
  row: Row,
): void {
  let table = tables.get(name);
  if (!table) {
    table = { name, kind, call, columns: new Map(), rows: [] };
    tables.set(name, table);
  }
  for (const [column, value] of row) {
    if (!table.columns.has(column)) table.columns.set(column, systemColumnType(call, column) ?? typeOfValue(value));
  }
  table.rows.push(row);
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
