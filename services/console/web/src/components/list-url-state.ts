import type { ColumnFiltersState, SortingState } from '@tanstack/react-table';
import { useEffect, useMemo, useState } from 'react';

import { useSearchParams } from 'react-router';
import { MAX_CHOSEN_COLUMNS, TABLE_COLUMNS, type TablePage } from '../../../src/shared/columns';

/** A day range as the date inputs give it (YYYY-MM-DD, the user's own time zone). */
export type TimeRange = { from?: string; to?: string };

/**
 * What a Sources- or Destinations-style list shows, kept in the page's URL so a link or a reload
 * shows the same rows: `search`, `sort=-type,name`, one parameter per filter value
 * (`environment=dev&environment=prod`), `<field>_from`/`_to` days, `columns=status,type`,
 * `page_size` and `pages` (the page tokens that led to the current page, oldest first).
 */
export interface ListState {
  search: string;
  sorting: SortingState;
  filters: ColumnFiltersState;
  /** Columns chosen in the URL; undefined: the user's saved choice. */
  columns: string[] | undefined;
  pageSize: number;
  pages: string[];
}

export const PAGE_SIZES = [25, 50, 100] as const;
const DEFAULT_PAGE_SIZE = 25;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function readListState(params: URLSearchParams, page: TablePage): ListState {
  const filters: ColumnFiltersState = [];
  for (const column of TABLE_COLUMNS[page]) {
    if (column.filter === 'values') {
      const values = params.getAll(column.field);
      if (values.length > 0) filters.push({ id: column.field, value: values });
    } else {
      const from = params.get(`${column.field}_from`) ?? '';
      const to = params.get(`${column.field}_to`) ?? '';
      const range: TimeRange = {
        ...(DAY.test(from) ? { from } : {}),
        ...(DAY.test(to) ? { to } : {}),
      };
      if (range.from || range.to) filters.push({ id: column.field, value: range });
    }
  }
  const sort = params.get('sort') ?? '';
  const pageSize = Number(params.get('page_size'));
  const columns = params.get('columns');
  return {
    search: params.get('search') ?? '',
    sorting: sort
      .split(',')
      .filter(Boolean)
      .map((s) => ({ id: s.replace(/^-/, ''), desc: s.startsWith('-') })),
    filters,
    columns: columns === null ? undefined : linkColumns(columns, page),
    pageSize: (PAGE_SIZES as readonly number[]).includes(pageSize) ? pageSize : DEFAULT_PAGE_SIZE,
    pages: (params.get('pages') ?? '').split(',').filter(Boolean),
  };
}

/**
 * A link's columns as the table can show them: the page's own, each once, at most five (a longer
 * or hand-made list keeps its first five), so no link shows more than a user can choose.
 */
function linkColumns(text: string, page: TablePage): string[] {
  const known = new Set(TABLE_COLUMNS[page].map((c) => c.field));
  const columns = [...new Set(text.split(',').filter((field) => known.has(field)))];
  return columns.slice(0, MAX_CHOSEN_COLUMNS);
}

/** Adds search, sort and filters to `params`; `day` writes a range's ends (a day, or an instant). */
function appendSearchSortAndFilters(
  params: URLSearchParams,
  state: ListState,
  day: (value: string, end: 'from' | 'to') => string,
): URLSearchParams {
  if (state.search.trim()) params.set('search', state.search.trim());
  if (state.sorting.length > 0) params.set('sort', state.sorting.map((s) => `${s.desc ? '-' : ''}${s.id}`).join(','));
  for (const filter of state.filters) {
    if (Array.isArray(filter.value)) {
      for (const value of filter.value as string[]) params.append(filter.id, value);
    } else {
      const range = filter.value as TimeRange;
      if (range.from) params.set(`${filter.id}_from`, day(range.from, 'from'));
      if (range.to) params.set(`${filter.id}_to`, day(range.to, 'to'));
    }
  }
  return params;
}

export function writeListState(state: ListState): URLSearchParams {
  const params = appendSearchSortAndFilters(new URLSearchParams(), state, (value) => value);
  if (state.columns) params.set('columns', state.columns.join(','));
  if (state.pageSize !== DEFAULT_PAGE_SIZE) params.set('page_size', String(state.pageSize));
  if (state.pages.length > 0) params.set('pages', state.pages.join(','));
  return params;
}

/** The list API's query for a state: days become instants in the user's time zone. */
export function listApiQuery(state: ListState, fixed: Record<string, string> = {}): URLSearchParams {
  const params = appendSearchSortAndFilters(new URLSearchParams(fixed), state, (value, end) =>
    new Date(`${value}T${end === 'from' ? '00:00:00' : '23:59:59.999'}`).toISOString(),
  );
  params.set('page_size', String(state.pageSize));
  const token = state.pages.at(-1);
  if (token) params.set('page_token', token);
  return params;
}

/**
 * The list's state from the URL, and a function that changes it there. A change other than moving
 * between pages starts again at the first page; moving between pages adds a history entry, so Back
 * returns to the previous page.
 */
export function useListState(page: TablePage): [ListState, (change: Partial<ListState>) => void] {
  const [params, setParams] = useSearchParams();
  const fromUrl = useMemo(() => readListState(params, page), [params, page]);
  // The router applies a URL change in a transition; a copy here lets a checkbox or a sort arrow
  // follow the click at once. The URL stays the source: Back or a link replaces the copy.
  const [state, setState] = useState(fromUrl);
  useEffect(() => setState(fromUrl), [fromUrl]);
  const update = (change: Partial<ListState>) => {
    const paging = 'pages' in change;
    const next: ListState = { ...state, ...change, ...(paging ? {} : { pages: [] }) };
    setState(next);
    setParams(writeListState(next), { replace: !paging });
  };
  return [state, update];
}
