import { snakeCase, type CallType, type SpecEvent } from '@manifold/events';
import type { CellValue } from './column-types';
import { cutString, flatten, stripNul, type FlattenOptions } from './flatten';
import { tableNameForEvent } from './names';
import type { NoticeCounter } from './notices';
import { isReservedColumn } from './system-columns';

/** One row keyed by column, columns in the order they were first met (users, folded per user). */
export type Row = Map<string, CellValue>;

/**
 * The cells of one event, as parallel lists of column names and values in the order they were
 * set. eventRows sets each column once (see `has`). Reused from event to event by the caller, so
 * laying out an event allocates no row structure of its own.
 */
export class RowCells {
  readonly names: string[] = [];
  readonly values: CellValue[] = [];
  /** The names, to tell in constant time whether a column is taken (events can have thousands). */
  private readonly taken = new Set<string>();
  /**
   * Per cell, whether its value is a timestamp string, once some table asked: a track's common
   * cells go to two tables, and the check is the costliest part of fitting a value to its column.
   */
  readonly isTimestamp: Array<boolean | undefined> = [];

  get size(): number {
    return this.names.length;
  }

  /**
   * Whether a column is taken. Two keys of one event can give one column: `orderId` and
   * `order_id`, `Plan` and `plan`, `a.b` and `a_b`, two long names alike up to the identifier
   * limit. Segment's documentation says nothing of it, so the first key with a value keeps the
   * column (in the order the object lists its keys: as sent, integer-like keys first) and each
   * later one is dropped with a `name_collision` notice: the same event always loads the same
   * way, and nothing is dropped unseen. (Before, the last key silently won.)
   */
  has(column: string): boolean {
    return this.taken.has(column);
  }

  set(column: string, value: CellValue): void {
    this.names.push(column);
    this.values.push(value);
    this.taken.add(column);
  }

  clear(): void {
    this.taken.clear();
    this.names.length = 0;
    this.values.length = 0;
    this.isTimestamp.length = 0;
  }
}

export interface EventRows {
  /**
   * The tables the event's cells go to: each takes the first `width` cells (a track's `tracks`
   * row takes the common columns; its event table, those and the properties).
   */
  tables: Array<{ table: string; call: CallType; width: number }>;
  /** The identify's contribution to `users`, when it has a user id. */
  user?: Row;
}

const CALL_TABLE: Record<CallType, string> = {
  identify: 'identifies',
  track: 'tracks',
  page: 'pages',
  screen: 'screens',
  group: 'groups',
  alias: 'aliases',
};

/**
 * The tables and cells one event becomes in Segment's layout (libs/warehouse/README.md#layout). `cells` is
 * cleared and filled with the event's cells.
 */
export function eventRows(
  event: SpecEvent,
  uuidTs: string,
  options: FlattenOptions,
  notices: NoticeCounter,
  cells: RowCells,
): EventRows {
  const call = event.type;
  const table = CALL_TABLE[call];
  cells.clear();
  commonRow(cells, event, uuidTs, options, notices, table);
  const result: EventRows = { tables: [] };

  switch (call) {
    case 'identify': {
      if (event.userId) {
        result.user = new Map<string, CellValue>([
          ['id', stripNul(event.userId)],
          ['received_at', event.receivedAt],
          ['uuid_ts', uuidTs],
        ]);
      }
      custom(event.traits, call, table, options, notices, cells, result.user);
      result.tables.push({ table, call, width: cells.size });
      break;
    }
    case 'track': {
      const name = typeof event.event === 'string' ? event.event : '';
      const eventTable = tableNameForEvent(name);
      setIf(cells, 'event', eventTable || snakeCase(name));
      setIf(cells, 'event_text', name);
      if (eventTable) {
        const width = cells.size;
        custom(event.properties, call, eventTable, options, notices, cells);
        result.tables.push({ table, call, width });
        result.tables.push({ table: eventTable, call, width: cells.size });
      } else {
        result.tables.push({ table, call, width: cells.size });
        notices.add({ kind: 'unusable_event_name', table: 'tracks', event: name });
      }
      break;
    }
    case 'page':
    case 'screen': {
      // Each has one column, whichever way the SDK sent it: analytics.js sets `name` and
      // `category` at the top level and repeats them in properties; the Python SDK sends them at
      // the top level only; the Go SDK has no top-level category and sends it in properties.
      setIf(cells, 'name', event.name);
      setIf(cells, 'category', event.category);
      custom(event.properties, call, table, options, notices, cells, undefined, (column, value) =>
        sharedField(cells, column, value, options.maxStringLength),
      );
      result.tables.push({ table, call, width: cells.size });
      break;
    }
    case 'group': {
      setIf(cells, 'group_id', event.groupId);
      custom(event.traits, call, table, options, notices, cells);
      result.tables.push({ table, call, width: cells.size });
      break;
    }
    case 'alias':
      setIf(cells, 'previous_id', event.previousId);
      result.tables.push({ table, call, width: cells.size });
      break;
  }
  return result;
}

function commonRow(
  row: RowCells,
  event: SpecEvent,
  uuidTs: string,
  options: FlattenOptions,
  notices: NoticeCounter,
  table: string,
): void {
  row.set('id', stripNul(event.messageId));
  setIf(row, 'anonymous_id', event.anonymousId);
  setIf(row, 'user_id', event.userId);
  setIf(row, 'received_at', event.receivedAt);
  setIf(row, 'sent_at', event.sentAt);
  setIf(row, 'timestamp', event.timestamp);
  setIf(row, 'original_timestamp', event.originalTimestamp);
  row.set('uuid_ts', uuidTs);
  if (event.context && typeof event.context === 'object') {
    flatten(event.context, 'context', options, {
      put: (column, value) => {
        if (row.has(column)) return false;
        row.set(column, value);
        return true;
      },
      refused: (column, path) => notices.add({ kind: 'name_collision', table, column, path }),
      unnamed: (path) => notices.add({ kind: 'unusable_name', table, path }),
    });
  }
}

/**
 * Properties or traits as columns of the event's cells (and of the user's row, an identify's),
 * minus names Segment reserves and columns an earlier key filled. `reserved` may take a reserved
 * one anyway (true), else it is discarded with a notice.
 */
function custom(
  object: Record<string, unknown> | undefined,
  call: CallType,
  table: string,
  options: FlattenOptions,
  notices: NoticeCounter,
  cells: RowCells,
  user?: Row,
  reserved?: (column: string, value: CellValue) => boolean,
): void {
  if (!object || typeof object !== 'object' || Array.isArray(object)) return;
  flatten(object, '', options, {
    put: (column, value) => {
      if (isReservedColumn(call, column)) return reserved?.(column, value) ?? false;
      if (cells.has(column)) return false;
      cells.set(column, value);
      user?.set(column, value);
      return true;
    },
    refused: (column, path) =>
      notices.add(
        isReservedColumn(call, column)
          ? { kind: 'reserved_name', table, column, path }
          : { kind: 'name_collision', table, column, path },
      ),
    unnamed: (path) => notices.add({ kind: 'unusable_name', table, path }),
  });
}

/**
 * A page's or screen's `properties.name` or `properties.category`: the same column as the
 * top-level field. It fills the column when the top level left it empty; the same value again
 * (analytics.js repeats both) is nothing to report; only a different one is discarded, with a
 * notice, the top-level value winning.
 */
function sharedField(cells: RowCells, column: string, value: CellValue, maxStringLength: number): boolean {
  if (column !== 'name' && column !== 'category') return false;
  const at = cells.names.lastIndexOf(column);
  if (at === -1) {
    cells.set(column, value);
    return true;
  }
  const current = cells.values[at];
  // Top-level strings are kept whole; properties are cut to the longest text value.
  return current === value || (typeof current === 'string' && cutString(current, maxStringLength) === value);
}

/** Sets a top-level field's value; strings without NUL, as flatten does for properties. */
function setIf(row: RowCells, column: string, value: unknown): void {
  if (typeof value === 'string') {
    const text = stripNul(value);
    if (text !== '') row.set(column, text);
  } else if (typeof value === 'number' || typeof value === 'boolean') row.set(column, value);
}
