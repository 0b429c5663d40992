import type { CallType } from '@manifold/events';
import type { ColumnType } from './column-types';

/** Columns on every event table (libs/warehouse/README.md#layout), with their fixed types. */
const COMMON: Record<string, ColumnType> = {
  id: 'string',
  anonymous_id: 'string',
  user_id: 'string',
  received_at: 'timestamp',
  sent_at: 'timestamp',
  timestamp: 'timestamp',
  original_timestamp: 'timestamp',
  uuid_ts: 'timestamp',
};

const BY_CALL: Record<CallType, Record<string, ColumnType>> = {
  identify: COMMON,
  track: { ...COMMON, event: 'string', event_text: 'string' },
  page: { ...COMMON, name: 'string', category: 'string' },
  screen: { ...COMMON, name: 'string', category: 'string' },
  group: { ...COMMON, group_id: 'string' },
  alias: { ...COMMON, previous_id: 'string' },
};

export const USERS_COLUMNS: Record<string, ColumnType> = {
  id: 'string',
  received_at: 'timestamp',
  uuid_ts: 'timestamp',
};

/**
 * The JSON column that keeps the values of a row that got no column of their own (see planLoad).
 * No property, trait or context key can be named like it: flattened names never start with `_`
 * followed by a letter.
 */
export const OVERFLOW_COLUMN = '_overflow';

/** Names Segment reserves for itself on some warehouses; never taken by a property either. */
const ALSO_RESERVED = ['uuid', 'loaded_at'];

export function systemColumns(call: CallType): Record<string, ColumnType> {
  return BY_CALL[call];
}

/** The declared type of a system column of a table fed by this call, if it is one. */
export function systemColumnType(call: CallType | 'users', column: string): ColumnType | undefined {
  const columns = call === 'users' ? USERS_COLUMNS : BY_CALL[call];
  return Object.hasOwn(columns, column) ? columns[column] : undefined;
}

/**
 * Whether a property or trait of this call may not become a column because Segment owns the
 * name: system columns and the `context_` namespace. Such values are discarded, as in Segment's warehouses.
 */
export function isReservedColumn(call: CallType, column: string): boolean {
  return Object.hasOwn(BY_CALL[call], column) || ALSO_RESERVED.includes(column) || column.startsWith('context_');
}
