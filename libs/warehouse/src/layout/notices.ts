import type { ColumnType } from './column-types';

/**
 * Something about the data that did not fail the load but changed what was stored; reported in
 * the load history like Segment's sync notices. Counted per table, column and kind.
 */
export type LoadNotice =
  | {
      kind: 'reserved_name';
      /** A property or trait whose name belongs to a system column; its value was discarded. */
      table: string;
      column: string;
      path: string;
      count: number;
    }
  | {
      kind: 'unusable_name';
      /** A key with no letters or digits left after snake_casing; its value was discarded. */
      table: string;
      path: string;
      count: number;
    }
  | {
      kind: 'name_collision';
      /**
       * A property, trait or context key whose column an earlier key of the same event already
       * filled (`orderId` and `order_id`, `Plan` and `plan`, `a.b` and `a_b`): its value was
       * discarded, the earlier one kept (see eventRows). `path` is the discarded key as sent.
       */
      table: string;
      column: string;
      path: string;
      count: number;
    }
  | {
      kind: 'unusable_event_name';
      /** A track whose event name gives no table name: loaded into `tracks` only. */
      table: 'tracks';
      event: string;
      count: number;
    }
  | {
      kind: 'column_limit';
      /**
       * The table has as many columns as a warehouse table may, and not even room for the
       * overflow column (only a table widened by hand gets there): this new property was dropped.
       */
      table: string;
      column: string;
      count: number;
    }
  | {
      kind: 'overflow';
      /**
       * Values kept in the table's `_overflow` JSON column instead of columns of their own:
       * `column_limit` — the table has as many columns as it may, so this property got none
       * (`column` names it); `row_size` — the row would have been larger than the warehouse stores,
       * so the values that did not fit were moved (counted per table).
       */
      table: string;
      reason: 'column_limit' | 'row_size';
      column?: string;
      count: number;
    }
  | {
      kind: 'type_conflict';
      /** A value of another type than its column's: cast, or dropped (stored as null) if it cannot be. */
      table: string;
      column: string;
      columnType: ColumnType;
      valueType: ColumnType;
      action: 'cast' | 'dropped';
      count: number;
    }
  | {
      kind: 'value_refused';
      /**
       * The warehouse refused this event's value for good (a column narrowed or constrained by
       * hand, …): the event was loaded without it (null in this column), the warehouse's reason
       * kept. A load lists the first ones per event; past that many (MAX_LISTED_SKIPPED, as for
       * events set aside) they are only counted per table and column, without messageId and reason.
       */
      table: string;
      column: string;
      messageId?: string;
      reason?: string;
      count: number;
    };

type WithoutCount<T> = T extends unknown ? Omit<T, 'count'> : never;
export type NoticeInput = WithoutCount<LoadNotice>;

/** Adds up notices that say the same thing, so a million bad values make one notice. */
export class NoticeCounter {
  private readonly byKey = new Map<string, LoadNotice>();

  add(notice: NoticeInput, count = 1): void {
    const key = JSON.stringify(notice);
    const existing = this.byKey.get(key);
    if (existing) existing.count += count;
    else this.byKey.set(key, { ...notice, count } as LoadNotice);
  }

  addAll(notices: readonly LoadNotice[]): void {
    for (const { count, ...rest } of notices) this.add(rest as NoticeInput, count);
  }

  list(): LoadNotice[] {
    return [...this.byKey.values()];
  }
}
