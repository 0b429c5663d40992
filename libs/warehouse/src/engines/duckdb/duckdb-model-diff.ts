import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { StatementTimeoutError, type DiffDialect, type SqlSession } from '../../reverse-etl/sql-model-diff';

/** DuckDB's side of the model diff (libs/warehouse/src/reverse-etl). */
export const DUCKDB_DIFF_DIALECT: DiffDialect = {
  text: (expression) => `CAST(${expression} AS VARCHAR)`,
  // DuckDB compares strings byte-wise unless told otherwise.
  byteOrder: (expression) => expression,
  rowJson: (alias) => `CAST(to_json(${alias}) AS VARCHAR)`,
  begin: 'BEGIN TRANSACTION',
};

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
