import { flexRender, type Table } from '@tanstack/react-table';
import type { ReactNode } from 'react';
import { Loading } from './Loading';

/** One empty list for every render while rows are loading: TanStack compares `data` by identity. */
export const NO_ROWS: never[] = [];

/** A table's rows as TanStack Table lays them out, each cell marked with its column. */
export function BodyRows<Row>(props: { table: Table<Row>; rowAttributes?(row: Row): Record<string, string> }) {
  return (
    <>
      {props.table.getRowModel().rows.map((row) => (
        <tr key={row.id} {...props.rowAttributes?.(row.original)}>
          {row.getVisibleCells().map((cell) => (
            <td key={cell.id} data-column={cell.column.id}>
              {flexRender(cell.column.columnDef.cell, cell.getContext())}
            </td>
          ))}
        </tr>
      ))}
    </>
  );
}

/** The one row a table shows instead of data: loading, empty (with what to do), or the error. */
export function StateRow(props: { span: number; state: 'loading' | 'empty' | 'error'; children?: ReactNode }) {
  return (
    <tr>
      <td colSpan={props.span} className="muted table-state" data-state={props.state}>
        {props.state === 'loading' ? <Loading /> : props.children}
      </td>
    </tr>
  );
}
