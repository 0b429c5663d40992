import type { LoadNotice } from '@manifold/warehouse';

/**
 * Values the loads of a warehouse did not store as their events sent them, by notice kind (the
 * loader's metrics): `dropped`, left out of their event (a reserved or unusable name, a column
 * an earlier key of the event took, no column left, a type that does not cast, a value the
 * warehouse refused; a track whose name gives no table, whose properties go nowhere);
 * `converted`, stored otherwise (cast to the column's type, moved to the `_overflow` column).
 * Each is also a notice on its load record.
 */
export interface ValueNoticeCounts {
  dropped: Record<string, number>;
  converted: Record<string, number>;
}

/** What each notice kind can count as: a Record, so that a new kind is placed here before it compiles. */
const OUTCOMES_OF_KIND: Readonly<Record<LoadNotice['kind'], readonly (keyof ValueNoticeCounts)[]>> = {
  reserved_name: ['dropped'],
  unusable_name: ['dropped'],
  name_collision: ['dropped'],
  unusable_event_name: ['dropped'],
  column_limit: ['dropped'],
  value_refused: ['dropped'],
  // Dropped when it cannot be cast, converted when it can.
  type_conflict: ['dropped', 'converted'],
  overflow: ['converted'],
};

/**
 * The kinds of each, all counted from 0 (so that the metrics' series exist before the first
 * value, and a rate over them starts from there).
 */
export const VALUE_NOTICE_KINDS: { readonly [O in keyof ValueNoticeCounts]: readonly string[] } = {
  dropped: kindsCountedAs('dropped'),
  converted: kindsCountedAs('converted'),
};

function kindsCountedAs(outcome: keyof ValueNoticeCounts): string[] {
  return Object.entries(OUTCOMES_OF_KIND)
    .filter(([, outcomes]) => outcomes.includes(outcome))
    .map(([kind]) => kind);
}

export function noValueNotices(): ValueNoticeCounts {
  return { dropped: {}, converted: {} };
}

/** Adds a load record's notices to `counts`. */
export function countValueNotices(notices: readonly LoadNotice[], counts: ValueNoticeCounts): void {
  for (const notice of notices) {
    const converted = notice.kind === 'overflow' || (notice.kind === 'type_conflict' && notice.action === 'cast');
    const by = converted ? counts.converted : counts.dropped;
    by[notice.kind] = (by[notice.kind] ?? 0) + notice.count;
  }
}
