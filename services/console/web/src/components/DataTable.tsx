import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from '@tanstack/react-table';
import type { ReactNode } from 'react';
import { ErrorNotice } from './FormField';
import { BodyRows, NO_ROWS, StateRow } from './table-parts';

export interface Column<Row> {
  id: string;
  header: ReactNode;
  cell(row: Row): ReactNode;
}

/**
 * A read-only table of rows with its loading, error and empty states (TanStack Table renders it).
 * `rows` is undefined while loading. On narrow screens it scrolls inside its own box.
 */
export function DataTable<Row>(props: {
  columns: Column<Row>[];
  rows: Row[] | undefined;
  rowKey(row: Row, index: number): string;
  empty: ReactNode;
  error?: unknown;
  compact?: boolean;
  label?: string;
  rowAttributes?(row: Row): Record<string, string>;
}) {
  const columns: ColumnDef<Row>[] = props.columns.map((column) => ({
    id: column.id,
    header: () => column.header,
    cell: ({ row }) => column.cell(row.original),
  }));
  const table = useReactTable({
    data: props.rows ?? NO_ROWS,
    columns,
    // Nothing is paged here. Without this, each change of `data` makes TanStack reset the page
    // index (a state update, so another render), which never ends while `data` is a new array
    // each render: the page hung while a list was loading.
    autoResetAll: false,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (row, index) => props.rowKey(row, index),
  });
  const state = props.error ? 'error' : props.rows === undefined ? 'loading' : props.rows.length === 0 ? 'empty' : null;
  return (
    <div className="table-scroll">
      <table
        className={`data-table${props.compact ? ' compact' : ''}`}
        aria-label={props.label}
        aria-busy={state === 'loading'}
      >
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => (
                <th key={header.id} data-column={header.column.id}>
                  {flexRender(header.column.columnDef.header, header.getContext())}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody>
          <BodyRows table={table} rowAttributes={props.rowAttributes} />
          {state ? (
            <StateRow span={props.columns.length} state={state}>
              {state === 'empty' ? props.empty : <ErrorNotice error={props.error} />}
            </StateRow>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
