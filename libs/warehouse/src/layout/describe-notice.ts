import type { LoadNotice } from './notices';

const times = (count: number): string => (count === 1 ? 'once' : `${count} times`);

/** A load notice in words, as the load history shows it (not its JSON). */
export function describeLoadNotice(notice: LoadNotice): string {
  switch (notice.kind) {
    case 'reserved_name':
      return `${notice.table}: "${notice.path}" is named like the system column ${notice.column}; its value was left out (${times(notice.count)})`;
    case 'unusable_name':
      return `${notice.table}: "${notice.path}" leaves no letters or digits as a column name; its value was left out (${times(notice.count)})`;
    case 'name_collision':
      return `${notice.table}: "${notice.path}" is named ${notice.column} once snake_cased, like a key before it in the same event; its value was left out (${times(notice.count)})`;
    case 'unusable_event_name':
      return `tracks: the event name "${notice.event}" gives no table name; loaded into tracks only (${times(notice.count)})`;
    case 'column_limit':
      return `${notice.table}: the table has as many columns as it may; ${notice.column} was left out (${times(notice.count)})`;
    case 'overflow':
      return notice.reason === 'column_limit'
        ? `${notice.table}: ${notice.column ?? 'a property'} got no column of its own (the table has as many as it may); its values were kept in _overflow (${times(notice.count)})`
        : `${notice.table}: rows larger than the warehouse stores; the values that did not fit were kept in _overflow (${times(notice.count)})`;
    case 'type_conflict':
      return notice.action === 'cast'
        ? `${notice.table}.${notice.column}: ${notice.valueType} values stored as ${notice.columnType} (${times(notice.count)})`
        : `${notice.table}.${notice.column}: ${notice.valueType} values that a ${notice.columnType} column cannot hold were stored as null (${times(notice.count)})`;
    case 'value_refused':
      return notice.messageId === undefined
        ? `${notice.table}.${notice.column}: the warehouse refused the values of more events; they were loaded without them (${times(notice.count)})`
        : `${notice.table}.${notice.column}: the warehouse refused the value of event ${notice.messageId}; the event was loaded without it (${notice.reason ?? 'no reason given'})`;
    default: {
      const unknown = notice as { kind?: unknown; count?: unknown };
      return `${String(unknown.kind)} (${String(unknown.count)})`;
    }
  }
}
