import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { quoteIdent } from '../sql';
import { StatementTimeoutError, type DiffDialect, type SqlSession } from '../../reverse-etl/sql-model-diff';

/** DuckDB's side of the model diff (libs/warehouse/src/reverse-etl). */
export const DUCKDB_DIFF_DIALECT: DiffDialect = {
  text: (expression) => `CAST(${expression} AS VARCHAR)`,
  // DuckDB compares strings byte-wise unless told otherwise.
  byteOrder: (expression) => expression,
  rowJson(alias, columns = []) {
    // to_json writes a value as its cast to text, which for some types is not PostgreSQL's text
    // (nor, for timestamps, ISO 8601, which destinations' date-time checks want): those columns
    // are replaced in the row by PostgreSQL's text, the others left to to_json.
    const replaced = columns.flatMap((c) => {
      const text = postgresText(`${alias}.${quoteIdent(c.name)}`, c.type);
      return text === undefined ? [] : [`${quoteIdent(c.name)} := ${text}`];
    });
    const row = replaced.length === 0 ? alias : `struct_update(${alias}, ${replaced.join(', ')})`;
    return `CAST(to_json(${row}) AS VARCHAR)`;
  },
  describe: (statement) => `DESCRIBE SELECT * FROM (${statement}) AS manifold_described`,
  begin: 'BEGIN TRANSACTION',
};

/**
 * A value as PostgreSQL's to_json writes its type, for the types whose DuckDB text differs; none
 * for the others. A timestamp with a zone is written in UTC (`2026-01-01T00:00:00.5+00:00`, where
 * DuckDB writes `2026-01-01 00:00:00.5+00` in the session's zone), one without a zone with a `T`
 * (`2026-01-01T00:00:00`); their fractions are both engines' (trailing zeros dropped), infinity is
 * `infinity` in both. An interval's months are `mons` in PostgreSQL (`1 year 2 mons`), `months` in
 * DuckDB. Values nested in lists and structs keep DuckDB's text.
 */
function postgresText(value: string, type: string): string | undefined {
  const t = type.toUpperCase();
  if (t === 'TIMESTAMP WITH TIME ZONE' || t === 'TIMESTAMPTZ') {
    return `CASE WHEN isfinite(${value}) THEN regexp_replace(CAST(${value} AT TIME ZONE 'UTC' AS VARCHAR), ' ', 'T') || '+00:00' ELSE CAST(${value} AS VARCHAR) END`;
  }
  if (t === 'TIMESTAMP' || /^TIMESTAMP_(S|MS|NS)$/.test(t))
    return `regexp_replace(CAST(${value} AS VARCHAR), ' ', 'T')`;
  if (t === 'INTERVAL') return `regexp_replace(CAST(${value} AS VARCHAR), ' month', ' mon', 'g')`;
  return undefined;
}

export function duckdbSession(connection: DuckDBConnection): SqlSession {
  return {
    async run(sql) {
      await connection.run(sql);
    },
    async rows<T extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      const result = await connection.runAndReadAll(sql, params as DuckDBValue[]);
      return result.getRowObjectsJS() as T[];
    },
    async arrays(sql, params = []) {
      return (await connection.runAndReadAll(sql, params as DuckDBValue[])).getRowsJS();
    },
    async rowsWithin<T extends Record<string, unknown>>(sql: string, timeoutMs: number) {
      // DuckDB has no statement timeout: the connection's query is interrupted when time is up.
      let interrupted = false;
      const timer = setTimeout(() => {
        interrupted = true;
        connection.interrupt();
      }, timeoutMs);
      try {
        const result = await connection.runAndReadAll(sql);
        return result.getRowObjectsJS() as T[];
      } catch (error) {
        if (interrupted) throw new StatementTimeoutError(timeoutMs);
        throw error;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
