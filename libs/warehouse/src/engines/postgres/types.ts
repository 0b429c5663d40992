import type { ColumnType } from '../../layout';

export const POSTGRES_TYPES: Record<ColumnType, string> = {
  string: 'text',
  integer: 'bigint',
  float: 'double precision',
  boolean: 'boolean',
  timestamp: 'timestamptz',
  json: 'jsonb',
};

/**
 * Reads a column's type back; columns someone widened by hand map to the nearest kind, and json
 * (the overflow column) reads as string: it holds the JSON text the plan wrote.
 */
export function columnTypeFromPostgres(dataType: string): ColumnType {
  const t = dataType.toLowerCase();
  if (t === 'bigint' || t === 'integer' || t === 'smallint') return 'integer';
  if (t === 'double precision' || t === 'real' || t === 'numeric') return 'float';
  if (t === 'boolean') return 'boolean';
  if (t.startsWith('timestamp') || t === 'date') return 'timestamp';
  return 'string';
}
