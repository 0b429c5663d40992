import type { ColumnType } from '../../layout';
import type { SqlDialect } from '../sql';

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

export const POSTGRES_DIALECT: SqlDialect = {
  types: POSTGRES_TYPES,
  columnType: columnTypeFromPostgres,
  readColumn(col, type) {
    if (type === 'timestamp') return `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${col}`;
    if (type === 'integer') return `${col}::double precision AS ${col}`;
    // As text: the overflow column is jsonb, which pg would hand back parsed.
    if (type === 'string') return `${col}::text AS ${col}`;
    return col;
  },
};
