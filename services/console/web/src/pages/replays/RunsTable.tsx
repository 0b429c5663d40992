import type { ReactNode } from 'react';

/**
 * The table of a kind of replay's runs: its column headings (an empty one for the cancel button),
 * a row a run, and the row that says there is none yet once the list has been read.
 */
export function RunsTable<Run>(props: {
  label: string;
  columns: string[];
  runs: Run[];
  /** The run's `<tr>`, with its key. */
  row(run: Run): ReactNode;
  loaded: boolean;
  empty: string;
}) {
  const { columns, runs } = props;
  return (
    <table className="data-table" aria-label={props.label}>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column}>{column}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => props.row(run))}
        {props.loaded && runs.length === 0 ? (
          <tr>
            <td colSpan={columns.length} className="muted empty">
              {props.empty}
            </td>
          </tr>
        ) : null}
      </tbody>
    </table>
  );
}
