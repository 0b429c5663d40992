import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  flexRender,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type ColumnFiltersState,
  type SortingState,
  type Updater,
} from '@tanstack/react-table';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { TABLE_COLUMNS, type ColumnDefinition, type TablePage } from '../../../src/shared/columns';
import type { PageInfo } from '../../../src/api/types';
import { api } from '../api';
import { ColumnPicker } from './ColumnPicker';
import { ErrorNotice } from './FormField';
import { listApiQuery, PAGE_SIZES, useListState, type TimeRange } from './list-url-state';
import { Popover } from './Popover';
import { BodyRows, NO_ROWS, StateRow } from './table-parts';

export interface PropertyTableProps<Row> {
  page: TablePage;
  /** What the rows are, for the search box and the empty state: "sources". */
  noun: string;
  /** The list endpoint, e.g. /api/v1/workspaces/acme/sources. */
  listPath: string;
  /** Filters always applied (e.g. warehouse=destination). */
  fixedQuery?: Record<string, string>;
  rowsOf(response: unknown): Row[];
  rowKey(row: Row): string;
  nameCell(row: Row): ReactNode;
  /** The values of a property column in a row, as shown and as filtered on. */
  valuesOf(row: Row, field: string): string[];
  /** Shown when the workspace has none at all (not when a search or filter matches none). */
  emptyText: ReactNode;
}

/** Values in the order a name sort gives rows: case aside (apple before Beta), then exactly. */
const byText = (a: string, b: string) =>
  a.localeCompare(b, undefined, { sensitivity: 'base' }) || (a < b ? -1 : a > b ? 1 : 0);

function ValueFilter(props: {
  field: string;
  label: string;
  options: string[];
  value: string[];
  onChange(v: string[]): void;
}) {
  // A value chosen in the link that no row has (any more) is still listed, so it can be unchecked.
  const options = [...props.options, ...props.value.filter((v) => !props.options.includes(v)).sort(byText)];
  return (
    <Popover
      className="column-filter"
      testId={`filter-${props.field}`}
      summaryClassName={props.value.length > 0 ? 'active' : ''}
      summaryLabel={`Filter ${props.label}`}
      summary={props.value.length > 0 ? `${props.value.length} selected` : 'Filter'}
    >
      <div className="column-filter-menu">
        {options.length === 0 ? <span className="muted">No values</span> : null}
        {options.map((option) => (
          <label key={option}>
            <input
              type="checkbox"
              value={option}
              checked={props.value.includes(option)}
              onChange={(e) =>
                props.onChange(e.target.checked ? [...props.value, option] : props.value.filter((v) => v !== option))
              }
            />
            {option || '(none)'}
          </label>
        ))}
      </div>
    </Popover>
  );
}

function TimeFilter(props: { field: string; value: TimeRange; onChange(v: TimeRange): void }) {
  return (
    <div className="column-filter time-filter" data-testid={`filter-${props.field}`}>
      <input
        type="date"
        aria-label="From"
        value={props.value.from ?? ''}
        onChange={(e) => props.onChange({ ...props.value, from: e.target.value || undefined })}
      />
      <input
        type="date"
        aria-label="To"
        value={props.value.to ?? ''}
        onChange={(e) => props.onChange({ ...props.value, to: e.target.value || undefined })}
      />
    </div>
  );
}

/** The search box: typing updates the URL (and the list) after a short pause. */
function SearchBox(props: { noun: string; value: string; onChange(value: string): void }) {
  const [text, setText] = useState(props.value);
  // Follow the URL when it changes from elsewhere (Back, a link).
  useEffect(() => setText(props.value), [props.value]);
  useEffect(() => {
    if (text.trim() === props.value) return;
    const timer = setTimeout(() => props.onChange(text.trim()), 250);
    return () => clearTimeout(timer);
  }, [text]);
  return (
    <input
      type="search"
      className="table-search"
      placeholder={`Search ${props.noun} by name`}
      aria-label={`Search ${props.noun} by name`}
      value={text}
      onChange={(e) => setText(e.target.value)}
    />
  );
}

/** The largest page the list API gives (page_size 1..500). */
const FACET_PAGE_SIZE = 500;

const apply = <T,>(updater: Updater<T>, current: T): T =>
  typeof updater === 'function' ? (updater as (old: T) => T)(current) : updater;

/**
 * A Sources- or Destinations-style table: the user picks up to five property columns (saved per
 * user on the server); search, sorting, filtering and paging run in the control plane's list
 * query; all of it, the columns included, is kept in the page's URL.
 */
export function PropertyTable<Row>(props: PropertyTableProps<Row>) {
  const queryClient = useQueryClient();
  const [state, updateState] = useListState(props.page);

  const saved = useQuery({
    queryKey: ['columns', props.page],
    queryFn: () => api.get<{ columns: string[] }>(`/api/v1/me/columns/${props.page}`),
  });
  const chosenFields = state.columns ?? saved.data?.columns ?? [];
  // Once the URL holds a sort or filter it holds the columns too, so a shared link shows them.
  const update = (change: Parameters<typeof updateState>[0]) =>
    updateState({ ...(chosenFields.length > 0 ? { columns: chosenFields } : {}), ...change });
  const saveColumns = useMutation({
    mutationFn: (columns: string[]) => api.put<{ columns: string[] }>(`/api/v1/me/columns/${props.page}`, { columns }),
    onSuccess: (data) => {
      queryClient.setQueryData(['columns', props.page], data);
      // A hidden column keeps no sort or filter.
      update({
        columns: data.columns,
        sorting: state.sorting.filter((x) => x.id === 'name' || data.columns.includes(x.id)),
        filters: state.filters.filter((x) => data.columns.includes(x.id)),
      });
    },
  });

  const query = listApiQuery(state, props.fixedQuery);
  const list = useQuery({
    queryKey: ['list', props.listPath, query.toString()],
    queryFn: () => api.get<{ page: PageInfo }>(`${props.listPath}?${query.toString()}`),
    placeholderData: keepPreviousData,
  });
  // Every row, unfiltered, for the values each filter offers: all pages, so a value only rows past
  // the first 500 have is offered too.
  const facetSource = useQuery({
    queryKey: ['list', props.listPath, 'facets', JSON.stringify(props.fixedQuery ?? {})],
    queryFn: async () => {
      const rows: Row[] = [];
      let token = '';
      do {
        const params = new URLSearchParams({ ...props.fixedQuery, page_size: String(FACET_PAGE_SIZE) });
        if (token) params.set('page_token', token);
        const response = await api.get<{ page: PageInfo }>(`${props.listPath}?${params.toString()}`);
        rows.push(...props.rowsOf(response));
        token = response.page.nextPageToken;
      } while (token);
      return rows;
    },
  });

  const definitions = chosenFields
    .map((field) => TABLE_COLUMNS[props.page].find((c) => c.field === field))
    .filter((c): c is ColumnDefinition => c !== undefined);

  const facets = useMemo(() => {
    const rows = facetSource.data ?? [];
    const map = new Map<string, string[]>();
    for (const column of TABLE_COLUMNS[props.page]) {
      const values = new Set(rows.flatMap((row) => props.valuesOf(row, column.field)));
      map.set(column.field, [...values].sort(byText));
    }
    return map;
  }, [facetSource.data, props.page]);

  const columns = useMemo<ColumnDef<Row>[]>(
    () => [
      // Sorting is the server's; TanStack only needs an accessor to let a column be sorted.
      { id: 'name', header: 'Name', accessorFn: () => '', cell: ({ row }) => props.nameCell(row.original) },
      ...definitions.map<ColumnDef<Row>>((definition) => ({
        id: definition.field,
        header: definition.label,
        accessorFn: (row) => props.valuesOf(row, definition.field).join(', '),
        enableSorting: true,
        enableColumnFilter: true,
        meta: definition,
        cell: ({ row }) => {
          const values = props.valuesOf(row.original, definition.field);
          if (definition.field === 'status') {
            return <span className={`badge badge-${values[0]}`}>{values[0]}</span>;
          }
          if (definition.filter === 'time-range') return values[0] ? new Date(values[0]).toLocaleString() : '—';
          return values.length === 0 ? <span className="muted">—</span> : values.join(', ');
        },
      })),
    ],
    [chosenFields.join(','), props.page],
  );

  const data = useMemo(() => (list.data ? props.rowsOf(list.data) : NO_ROWS), [list.data]);
  const table = useReactTable({
    data,
    columns,
    state: { sorting: state.sorting, columnFilters: state.filters },
    onSortingChange: (updater) => update({ sorting: apply<SortingState>(updater, state.sorting) }),
    onColumnFiltersChange: (updater) => update({ filters: apply<ColumnFiltersState>(updater, state.filters) }),
    manualSorting: true,
    manualFiltering: true,
    manualPagination: true,
    autoResetAll: false,
    enableMultiSort: true,
    sortDescFirst: false,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (row) => props.rowKey(row),
  });

  const total = list.data?.page.totalCount ?? 0;
  const firstRow = state.pages.length * state.pageSize + 1;
  const narrowed = state.search !== '' || state.filters.length > 0;
  return (
    <div className="property-table">
      <div className="table-toolbar">
        <SearchBox noun={props.noun} value={state.search} onChange={(search) => update({ search })} />
        <span className="muted" data-testid="row-count">
          {list.data ? `${total} ${total === 1 ? 'row' : 'rows'}` : ''}
        </span>
        {narrowed ? (
          <button className="link-button" onClick={() => update({ filters: [], search: '' })}>
            Clear search and filters
          </button>
        ) : null}
        <ColumnPicker page={props.page} chosen={chosenFields} onChange={(c) => saveColumns.mutateAsync(c)} />
      </div>
      <ErrorNotice error={list.error} />
      <div className="table-scroll">
        <table className="data-table" aria-busy={list.isFetching}>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const definition = header.column.columnDef.meta as ColumnDefinition | undefined;
                  const sorted = header.column.getIsSorted();
                  return (
                    <th
                      key={header.id}
                      data-column={header.column.id}
                      aria-sort={sorted ? (sorted === 'desc' ? 'descending' : 'ascending') : 'none'}
                    >
                      <button className="sort-button" onClick={header.column.getToggleSortingHandler()}>
                        {flexRender(header.column.columnDef.header, header.getContext())}
                        <span className="sort-indicator">
                          {sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}
                        </span>
                      </button>
                      {definition?.filter === 'values' ? (
                        <ValueFilter
                          field={definition.field}
                          label={definition.label}
                          options={facets.get(definition.field) ?? []}
                          value={(header.column.getFilterValue() as string[] | undefined) ?? []}
                          onChange={(v) => header.column.setFilterValue(v.length > 0 ? v : undefined)}
                        />
                      ) : null}
                      {definition?.filter === 'time-range' ? (
                        <TimeFilter
                          field={definition.field}
                          value={(header.column.getFilterValue() as TimeRange | undefined) ?? {}}
                          onChange={(v) => header.column.setFilterValue(v.from || v.to ? v : undefined)}
                        />
                      ) : null}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            <BodyRows table={table} />
            {list.isPending ? <StateRow span={columns.length} state="loading" /> : null}
            {list.data && data.length === 0 ? (
              <StateRow span={columns.length} state="empty">
                {total > 0 ? (
                  // A link to a page past the end (rows removed since): the rows are on earlier pages.
                  <>
                    No {props.noun} on this page.{' '}
                    <button className="link-button" onClick={() => update({ pages: [] })}>
                      Go to the first page
                    </button>
                  </>
                ) : narrowed ? (
                  `No ${props.noun} match.`
                ) : (
                  props.emptyText
                )}
              </StateRow>
            ) : null}
          </tbody>
        </table>
      </div>
      {list.data && (total > PAGE_SIZES[0] || state.pages.length > 0) ? (
        <nav className="pager" aria-label="Pages">
          <span className="muted" data-testid="page-range">
            {data.length > 0 ? `${firstRow}–${firstRow + data.length - 1} of ${total}` : ''}
          </span>
          <label>
            Rows per page{' '}
            <select value={state.pageSize} onChange={(e) => update({ pageSize: Number(e.target.value) })}>
              {PAGE_SIZES.map((size) => (
                <option key={size} value={size}>
                  {size}
                </option>
              ))}
            </select>
          </label>
          <button disabled={state.pages.length === 0} onClick={() => update({ pages: state.pages.slice(0, -1) })}>
            Previous
          </button>
          <button
            disabled={!list.data.page.nextPageToken}
            onClick={() => update({ pages: [...state.pages, list.data.page.nextPageToken] })}
          >
            Next
          </button>
        </nav>
      ) : null}
    </div>
  );
}
