// Shared by the console server and the web app (no Node or DOM APIs here).

/** A table whose property columns each user chooses. */
export type TablePage = 'sources' | 'destinations';

export interface ColumnDefinition {
  /** The control plane's sort/filter field name. */
  field: string;
  label: string;
  /** How a column is filtered: by picking values, or by a time range. */
  filter: 'values' | 'time-range';
}

export const MAX_CHOSEN_COLUMNS = 5;

/** The property columns of each table, in the order Segment shows them. */
export const TABLE_COLUMNS: Record<TablePage, readonly ColumnDefinition[]> = {
  sources: [
    { field: 'status', label: 'Status', filter: 'values' },
    { field: 'environment', label: 'Environment', filter: 'values' },
    { field: 'destinations', label: 'Destinations', filter: 'values' },
    { field: 'type', label: 'Type', filter: 'values' },
    { field: 'category', label: 'Category', filter: 'values' },
    { field: 'created_at', label: 'Created At', filter: 'time-range' },
    { field: 'created_by', label: 'Created By', filter: 'values' },
  ],
  destinations: [
    { field: 'status', label: 'Status', filter: 'values' },
    { field: 'created_at', label: 'Created At', filter: 'time-range' },
    { field: 'type', label: 'Type', filter: 'values' },
    { field: 'sources', label: 'Sources', filter: 'values' },
    { field: 'category', label: 'Category', filter: 'values' },
  ],
};

export const DEFAULT_COLUMNS: Record<TablePage, readonly string[]> = {
  sources: ['status', 'environment', 'destinations'],
  destinations: ['status', 'type', 'sources'],
};

export const TOO_MANY_COLUMNS_REASON = `You can show at most ${MAX_CHOSEN_COLUMNS} columns. Remove one before adding another.`;

export type ColumnChoiceProblem = { kind: 'too-many'; message: string } | { kind: 'unknown'; message: string };

/** Why a column choice is refused, or undefined when it is acceptable. */
export function columnChoiceProblem(page: TablePage, columns: readonly string[]): ColumnChoiceProblem | undefined {
  const known = new Set(TABLE_COLUMNS[page].map((c) => c.field));
  const unknown = columns.filter((c) => !known.has(c));
  if (unknown.length > 0) {
    return {
      kind: 'unknown',
      message: `Unknown column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; choose from ${[...known].join(', ')}.`,
    };
  }
  if (new Set(columns).size !== columns.length) return { kind: 'unknown', message: 'A column is chosen twice.' };
  if (columns.length > MAX_CHOSEN_COLUMNS) return { kind: 'too-many', message: TOO_MANY_COLUMNS_REASON };
  return undefined;
}
