import type { CallType, SpecEvent } from '@manifold/events';
import type { CellValue } from './column-types';
import { flatten, type FlattenOptions } from './flatten';
import { tableNameForEvent } from './names';
import type { NoticeCounter } from './notices';
import { isReservedColumn } from './system-columns';
import { snakeCase } from './snake-case';

/** One row of one table, columns in the order they were first met. */
export type Row = Map<string, CellValue>;

export interface EventRows {
  /**
   * Rows for the call's own tables (e.g. `tracks` and `order_completed`). With `width`, the
   * table's cells are only the row's first `width` entries: a track's `tracks` row shares its Map
   * with the event table's row (common columns first, then properties) instead of a copy.
   */
  rows: Array<{ table: string; call: CallType; row: Row; width?: number }>;
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
      const targets = [common];
      if (event.userId) {
        result.user = new Map<string, CellValue>([
          ['id', event.userId],
          ['received_at', event.receivedAt],
          ['uuid_ts', uuidTs],
        ]);
        targets.push(result.user);
      }
      custom(event.traits, call, table, options, notices, targets);
      result.rows.push({ table, call, row: common });
      break;
    }
    case 'track': {
      const name = typeof event.event === 'string' ? event.event : '';
      const eventTable = tableNameForEvent(name);
      setIf(common, 'event', eventTable || snakeCase(name));
      setIf(common, 'event_text', name);
      if (eventTable) {
        const width = common.size;
        custom(event.properties, call, eventTable, options, notices, [common]);
        result.rows.push({ table, call, row: common, width });
        result.rows.push({ table: eventTable, call, row: common });
      } else {
        result.rows.push({ table, call, row: common });
        notices.add({ kind: 'unusable_event_name', table: 'tracks', event: name });
      }
      break;
    }
    case 'page':
    case 'screen': {
      setIf(common, 'name', event.name);
      if (call === 'page') setIf(common, 'category', event.category);
      custom(event.properties, call, table, options, notices, [common]);
      result.rows.push({ table, call, row: common });
      break;
    }
    case 'group': {
      setIf(common, 'group_id', event.groupId);
      custom(event.traits, call, table, options, notices, [common]);
      result.rows.push({ table, call, row: common });
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
    flatten(event.context, 'context', options, {
      put: (column, value) => (row.set(column, value), true),
      refused: () => undefined,
      unnamed: (path) => notices.add({ kind: 'unusable_name', table, path }),
    });
  }
  return row;
}

/** Properties or traits as columns of each target row, minus names Segment reserves. */
function custom(
  object: Record<string, unknown> | undefined,
  call: CallType,
  table: string,
  options: FlattenOptions,
  notices: NoticeCounter,
  targets: Row[],
): void {
  if (!object || typeof object !== 'object' || Array.isArray(object)) return;
  flatten(object, '', options, {
    put: (column, value) => {
      if (isReservedColumn(call, column)) return false;
      for (const row of targets) row.set(column, value);
      return true;
    },
    refused: (column, path) => notices.add({ kind: 'reserved_name', table, column, path }),
    unnamed: (path) => notices.add({ kind: 'unusable_name', table, path }),
  });
}

function setIf(row: Row, column: string, value: unknown): void {
  if (typeof value === 'string' && value !== '') row.set(column, value);
  else if (typeof value === 'number' || typeof value === 'boolean') row.set(column, value);
}
