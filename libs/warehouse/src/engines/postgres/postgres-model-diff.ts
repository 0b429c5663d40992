import type pg from 'pg';
import { StatementTimeoutError, type DiffDialect, type SqlSession } from '../../reverse-etl/sql-model-diff';

/** PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout (query_canceled). */
const QUERY_CANCELED = '57014';

/** PostgreSQL's side of the model diff (libs/warehouse/src/reverse-etl). */
export const POSTGRES_DIFF_DIALECT: DiffDialect = {
  text: (expression) => `CAST(${expression} AS text)`,
  // Keys are compared byte-wise so that paging does not depend on the database's collation.
  byteOrder: (expression) => `${expression} COLLATE "C"`,
  // json, not jsonb: compact text with the columns in the query's order (jsonb's text puts a space
  // after each colon and comma and orders keys by length), which the runner publishes as it is.
  rowJson: (alias) => `CAST(to_json(${alias}) AS text)`,
  begin: 'BEGIN',
};

export function postgresSession(client: pg.PoolClient): SqlSession {
  return {
    async run(sql) {
      await client.query(sql);
    },
    async rows<T extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      return (await client.query<T>(sql, params)).rows;
    },
    async arrays(sql, params = []) {
      return (await client.query<unknown[]>({ text: sql, values: params, rowMode: 'array' })).rows;
    },
    async rowsWithin<T extends Record<string, unknown>>(sql: string, timeoutMs: number) {
      // A read-only transaction whose own statement_timeout ends with it (SET LOCAL).
      await client.query('BEGIN READ ONLY');
      try {
        await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
        const rows = (await client.query<T>(sql)).rows;
        await client.query('COMMIT');
        return rows;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        if ((error as { code?: unknown }).code === QUERY_CANCELED) throw new StatementTimeoutError(timeoutMs);
        throw error;
      }
    },
  };
}
