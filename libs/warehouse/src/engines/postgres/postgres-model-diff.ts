import type pg from 'pg';
import type { DiffDialect, SqlSession } from '../../reverse-etl/sql-model-diff';

/** PostgreSQL's side of the model diff (libs/warehouse/src/reverse-etl). */
export const POSTGRES_DIFF_DIALECT: DiffDialect = {
  text: (expression) => `CAST(${expression} AS text)`,
  // Keys are compared byte-wise so that paging does not depend on the database's collation.
  byteOrder: (expression) => `${expression} COLLATE "C"`,
  rowJson: (alias) => `CAST(to_jsonb(${alias}) AS text)`,
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
  };
}
