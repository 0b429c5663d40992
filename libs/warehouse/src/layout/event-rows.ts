import type { CallType, SpecEvent } from '@manifold/events';
import type { CellValue } from './column-types';
import { flatten, type FlatEntry, type FlattenOptions } from './flatten';
import { tableNameForEvent } from './names';
import type { NoticeCounter } from './notices';
import { isReservedColumn } from './system-columns';
import { snakeCase } from './snake-case';

/** One row of one table, columns in the order they were first met. */
export type Row = Map<string, CellValue>;

export interface EventRows {
  /** Rows for the call's own tables (e.g. `tracks` and `order_completed`). */
  rows: Array<{ table: string; call: CallType; row: Row }>;
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

/** The tables and rows one event becomes in Segment's layout (segment-spec.md §4.1). */
export function eventRows(
  event: SpecEvent,
  uuidTs: string,
  options: FlattenOptions,
  notices: NoticeCounter,
): EventRows {
  const call = event.type;
  const table = CALL_TABLE[call];
  const common = commonRow(event, uuidTs, options, notices, table);
  const result: EventRows = { rows: [] };

  switch (call) {
    case 'identify': {
      const traits = custom(event.traits, call, table, options, notices);
      result.rows.push({ table, call, row: withEntries(common, traits) });
      if (event.userId) {
        const user: Row = new Map<string, CellValue>([
          ['id', event.userId],
          ['received_at', event.receivedAt],
          ['uuid_ts', uuidTs],
        ]);
        result.user = withEntries(user, traits);
      }
      break;
    }
    case 'track': {
      const name = typeof event.event === 'string' ? event.event : '';
      const eventTable = tableNameForEvent(name);
      setIf(common, 'event', eventTable || snakeCase(name));
      setIf(common, 'event_text', name);
      result.rows.push({ table, call, row: common });
      if (eventTable) {
        const properties = custom(event.properties, call, eventTable, options, notices);
        result.rows.push({ table: eventTable, call, row: withEntries(new Map(common), properties) });
      } else {
        notices.add({ kind: 'unusable_event_name', table: 'tracks', event: name });
      }
      break;
    }
    case 'page':
    case 'screen': {
      setIf(common, 'name', event.name);
      if (call === 'page') setIf(common, 'category', event.category);
      const properties = custom(event.properties, call, table, options, notices);
      result.rows.push({ table, call, row: withEntries(common, properties) });
      break;
    }
    case 'group': {
      setIf(common, 'group_id', event.groupId);
      const traits = custom(event.traits, call, table, options, notices);
      result.rows.push({ table, call, row: withEntries(common, traits) });
      break;
    }
    case 'alias':
      setIf(common, 'previous_id', event.previousId);
      result.rows.push({ table, call, row: common });
      break;
  }
  return result;
}

function commonRow(
  event: SpecEvent,
  uuidTs: string,
  options: FlattenOptions,
  notices: NoticeCounter,
  table: string,
): Row {
  const row: Row = new Map();
  row.set('id', event.messageId);
  setIf(row, 'anonymous_id', event.anonymousId);
  setIf(row, 'user_id', event.userId);
  setIf(row, 'received_at', event.receivedAt);
  setIf(row, 'sent_at', event.sentAt);
  setIf(row, 'timestamp', event.timestamp);
  setIf(row, 'original_timestamp', event.originalTimestamp);
  row.set('uuid_ts', uuidTs);
  if (event.context && typeof event.context === 'object') {
    const entries = flatten(event.context, 'context', options, [], (path) =>
      notices.add({ kind: 'unusable_name', table, path }),
    );
    for (const entry of entries) row.set(entry.column, entry.value);
  }
  return row;
}

/** Properties or traits as columns, minus those whose names Segment reserves. */
function custom(
  object: Record<string, unknown> | undefined,
  call: CallType,
  table: string,
  options: FlattenOptions,
  notices: NoticeCounter,
): FlatEntry[] {
  if (!object || typeof object !== 'object' || Array.isArray(object)) return [];
  const entries = flatten(object, '', options, [], (path) => notices.add({ kind: 'unusable_name', table, path }));
  return entries.filter((entry) => {
    if (!isReservedColumn(call, entry.column)) return true;
    notices.add({ kind: 'reserved_name', table, column: entry.column, path: entry.path });
    return false;
  });
}

function withEntries(row: Row, entries: readonly FlatEntry[]): Row {
  for (const entry of entries) row.set(entry.column, entry.value);
  return row;
}

function setIf(row: Row, column: string, value: unknown): void {
  if (typeof value === 'string' && value !== '') row.set(column, value);
  else if (typeof value === 'number' || typeof value === 'boolean') row.set(column, value);
}
