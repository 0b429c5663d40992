import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  flexRender,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type ColumnFiltersState,
  type SortingState,
} from '@tanstack/react-table';
import { useMemo, useState, type ReactNode } from 'react';
import { TABLE_COLUMNS, type ColumnDefinition, type TablePage } from '../../../src/shared/columns';
import type { PageInfo } from '../../../src/api/types';
import { api } from '../api';
import { ColumnPicker } from './ColumnPicker';
import { ErrorNotice } from './FormField';

export type TimeRange = { from?: string; to?: string };

export interface PropertyTableProps<Row> {
  page: TablePage;
  /** The list endpoint, e.g. /api/v1/workspaces/acme/sources. */
  listPath: string;
  /** Filters always applied (e.g. warehouse=destination). */
  fixedQuery?: Record<string, string>;
  rowsOf(response: unknown): Row[];
  rowKey(row: Row): string;
  nameCell(row: Row): ReactNode;
  /** The values of a property column in a row, as shown and as filtered on. */
  valuesOf(row: Row, field: string): string[];
  emptyText: string;
}

/** Builds the list query: sort=-a,b, one parameter per filter value, <field>_from/_to for times. */
export function listSearchParams(
  sorting: SortingState,
  filters: ColumnFiltersState,
  fixed: Record<string, string> = {},
): URLSearchParams {
  const params = new URLSearchParams(fixed);
  if (sorting.length > 0) params.set('sort', sorting.map((s) => `${s.desc ? '-' : ''}${s.id}`).join(','));
  for (const filter of filters) {
    if (Array.isArray(filter.value)) {
      for (const v of filter.value as string[]) params.append(filter.id, v);
    } else {
      const range = filter.value as TimeRange;
      if (range.from) params.set(`${filter.id}_from`, new Date(`${range.from}T00:00:00`).toISOString());
      if (range.to) params.set(`${filter.id}_to`, new Date(`${range.to}T23:59:59.999`).toISOString());
    }
  }
  return params;
}

function ValueFilter(props: {
  field: string;
  label: string;
  options: string[];
  value: string[];
  onChange(v: string[]): void;
}) {
  return (
    <details className="column-filter" data-testid={`filter-${props.field}`}>
      <summary className={props.value.length > 0 ? 'active' : ''} aria-label={`Filter ${props.label}`}>
        {props.value.length > 0 ? `${props.value.length} selected` : 'Filter'}
      </summary>
      <div className="column-filter-menu">
        {props.options.length === 0 ? <span className="muted">No values</span> : null}
        {props.options.map((option) => (
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
    </details>
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

/**
 * A Sources- or Destinations-style table: the user picks up to five property columns (kept per
 * user on the server), and sorting and filtering run in the control plane's list query.
 */
export function PropertyTable<Row>(props: PropertyTableProps<Row>) {
  const queryClient = useQueryClient();
  const [sorting, setSorting] = useState<SortingState>([]);
  const [columnFilters, setColumnFilters] = useState<ColumnFiltersState>([]);

  const chosen = useQuery({
    queryKey: ['columns', props.page],
    queryFn: () => api.get<{ columns: string[] }>(`/api/v1/me/columns/${props.page}`),
  });
  const saveColumns = useMutation({
    mutationFn: (columns: string[]) => api.put<{ columns: string[] }>(`/api/v1/me/columns/${props.page}`, { columns }),
    // Show the choice at once; put the saved one back if the server refuses it.
    onMutate: (columns) => {
      const previous = queryClient.getQueryData(['columns', props.page]);
      queryClient.setQueryData(['columns', props.page], { columns });
      return { previous };
    },
    onError: (_error, _columns, context) => queryClient.setQueryData(['columns', props.page], context?.previous),
    onSuccess: (data) => {
      queryClient.setQueryData(['columns', props.page], data);
      // A hidden column keeps no sort or filter.
      setSorting((s) => s.filter((x) => x.id === 'name' || data.columns.includes(x.id)));
      setColumnFilters((f) => f.filter((x) => data.columns.includes(x.id)));
    },
  });

  const search = listSearchParams(sorting, columnFilters, props.fixedQuery);
  const list = useQuery({
    queryKey: ['list', props.listPath, search.toString()],
    queryFn: () => api.get<{ page: PageInfo }>(`${props.listPath}?${search.toString()}`),
    placeholderData: keepPreviousData,
  });
  // Every row, unfiltered, for the values each filter offers.
  const facetSource = useQuery({
    queryKey: ['list', props.listPath, 'facets', JSON.stringify(props.fixedQuery ?? {})],
    queryFn: () =>
      api.get<unknown>(
        `${props.listPath}?${new URLSearchParams({ ...props.fixedQuery, page_size: '500' }).toString()}`,
      ),
  });

  const chosenFields = chosen.data?.columns ?? [];
  const definitions = chosenFields
    .map((field) => TABLE_COLUMNS[props.page].find((c) => c.field === field))
    .filter((c): c is ColumnDefinition => c !== undefined);

  const facets = useMemo(() => {
    const rows = facetSource.data ? props.rowsOf(facetSource.data) : [];
    const map = new Map<string, string[]>();
    for (const column of TABLE_COLUMNS[props.page]) {
      const values = new Set(rows.flatMap((row) => props.valuesOf(row, column.field)));
      map.set(column.field, [...values].sort());
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

  const data = useMemo(() => (list.data ? props.rowsOf(list.data) : []), [list.data, props]);
  const table = useReactTable({
    data,
    columns,
    state: { sorting, columnFilters },
    onSortingChange: setSorting,
    onColumnFiltersChange: setColumnFilters,
    manualSorting: true,
    manualFiltering: true,
    enableMultiSort: true,
    sortDescFirst: false,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (row) => props.rowKey(row),
  });

  return (
    <div className="property-table">
      <div className="table-toolbar">
        <span className="muted" data-testid="row-count">
          {list.data ? `${list.data.page.totalCount} ${list.data.page.totalCount === 1 ? 'row' : 'rows'}` : ''}
        </span>
        {columnFilters.length > 0 ? (
          <button className="link-button" onClick={() => setColumnFilters([])}>
            Clear filters
          </button>
        ) : null}
        <ColumnPicker page={props.page} chosen={chosenFields} onChange={(c) => saveColumns.mutateAsync(c)} />
      </div>
      <ErrorNotice error={list.error} />
      <table className="data-table">
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
                      <span className="sort-indicator">{sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}</span>
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
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id}>
              {row.getVisibleCells().map((cell) => (
                <td key={cell.id} data-column={cell.column.id}>
                  {flexRender(cell.column.columnDef.cell, cell.getContext())}
                </td>
              ))}
            </tr>
          ))}
          {list.data && data.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="muted empty">
                {props.emptyText}
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
