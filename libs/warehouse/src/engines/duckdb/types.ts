import type { ColumnType } from '../../layout';
import type { SqlDialect } from '../sql';

export const DUCKDB_TYPES: Record<ColumnType, string> = {
  string: 'VARCHAR',
  integer: 'BIGINT',
  float: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMPTZ',
  json: 'JSON',
};

export function columnTypeFromDuckdb(dataType: string): ColumnType {
  const t = dataType.toUpperCase();
  if (['BIGINT', 'INTEGER', 'SMALLINT', 'TINYINT', 'HUGEINT', 'UBIGINT', 'UINTEGER'].includes(t)) return 'integer';
  if (t === 'DOUBLE' || t === 'FLOAT' || t.startsWith('DECIMAL')) return 'float';
  if (t === 'BOOLEAN') return 'boolean';
  if (t.startsWith('TIMESTAMP') || t === 'DATE') return 'timestamp';
  return 'string';
}

export const DUCKDB_DIALECT: SqlDialect = {
  types: DUCKDB_TYPES,
  columnType: columnTypeFromDuckdb,
  readColumn(col, type) {
    if (type === 'timestamp') return `strftime(${col} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS ${col}`;
    if (type === 'integer') return `CAST(${col} AS DOUBLE) AS ${col}`;
    return col;
  },
};
