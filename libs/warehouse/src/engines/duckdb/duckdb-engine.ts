import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Logger } from '@manifold/logger';
import {
  planLoad,
  type CellValue,
  type LoadPlan,
  type SchemaCatalog,
  type SourceBatch,
  type TablePlan,
} from '../../layout';
import type { LoadOptions, SourceLoadResult, WarehouseEngine } from '../engine';
import { catalogFromColumns, ddlStatements, qualified, quoteIdent, readTableSql, usersMergeAssignments } from '../sql';
import { DUCKDB_DIALECT, DUCKDB_TYPES } from './types';
import { DUCKDB_DIFF_DIALECT, duckdbSession } from './duckdb-model-diff';
import { SqlModelDiff } from '../../reverse-etl/sql-model-diff';
import type { ModelDiffEngine } from '../../reverse-etl/model-diff';

export interface DuckdbEngineOptions {
  /** The database file; created (with its folder) on first load. */
  path: string;
  logger: Logger;
}

/**
 * Loads into a DuckDB file, the embedded default for local runs. The file is opened for each
 * load and closed after it, so between loads anyone (the duckdb CLI, a notebook) can open it.
 * Rows go through an appender into an all-text staging table; the INSERT casts them. DuckDB
 * stores columns, not pages of rows: no row size limit, and no column limit a table of
 * properties reaches, so only the layout's own column cap applies when planning.
 */
export class DuckdbEngine implements WarehouseEngine {
  readonly kind = 'duckdb';
  private queue: Promise<unknown> = Promise.resolve();
  readonly models: ModelDiffEngine = new SqlModelDiff(
    (work) =>
      this.withConnection(async (connection) => {
        // Timestamps with a zone as text (keys, comparisons, values in lists) in UTC, not in the
        // loader host's zone, so that they are the same whatever host runs the model.
        await connection.run("SET TimeZone = 'UTC'");
        return work(duckdbSession(connection));
      }),
    DUCKDB_DIFF_DIALECT,
    (error) => this.describeError(error),
  );

  constructor(private readonly options: DuckdbEngineOptions) {}

  async ping(): Promise<void> {
    await this.withConnection(async (connection) => {
      await connection.run('SELECT 1');
    });
  }

  load(batch: SourceBatch, options: LoadOptions = {}): Promise<SourceLoadResult> {
    return this.withConnection(async (connection) => {
      // A timestamp that names no zone is UTC, as every Spec timestamp is, not in the host's zone
      // (DuckDB's default). The instance is this load's own: nothing else sees the setting.
      await connection.run("SET TimeZone = 'UTC'");
      await connection.run('BEGIN TRANSACTION');
      try {
        const catalog = await readCatalog(connection, batch.schema);
        let mark = performance.now();
        const plan = planLoad(batch, catalog);
        const planMs = performance.now() - mark;
        mark = performance.now();
        await applyDdl(connection, plan);
        const ddlMs = performance.now() - mark;
        mark = performance.now();
        const rowsByTable: Record<string, number> = {};
        for (const [index, table] of plan.tables.entries()) {
          rowsByTable[table.name] = await loadTable(connection, plan.schema, table, index);
        }
        await connection.run(options.trial ? 'ROLLBACK' : 'COMMIT');
        // Appending and merging are not told apart here: DuckDB does both in-process.
        return { plan, rowsByTable, timings: { planMs, ddlMs, copyMs: 0, mergeMs: performance.now() - mark } };
      } catch (error) {
        await connection.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  catalog(schema: string): Promise<SchemaCatalog | undefined> {
    return this.withConnection((connection) => readCatalog(connection, schema));
  }

  readTable(schema: string, table: string): Promise<Array<Record<string, CellValue | null>>> {
    return this.withConnection(async (connection) => {
      const columns = (await readCatalog(connection, schema))?.get(table);
      if (!columns) throw new Error(`no table ${schema}.${table}`);
      const result = await connection.runAndReadAll(readTableSql(schema, table, columns, DUCKDB_DIALECT));
      return result.getRowObjectsJS() as Array<Record<string, CellValue | null>>;
    });
  }

  classifyError(error: unknown): 'data' | 'unavailable' {
    return PERMANENT_ERRORS.test(duckdbMessage(error)) ? 'data' : 'unavailable';
  }

  refusedColumn(error: unknown): string | undefined {
    // The INSERT casts each staged text column: `… when casting from source column <column>`.
    return CAST_SOURCE_COLUMN.exec(duckdbMessage(error))?.[1];
  }

  describeError(error: unknown): string {
    return duckdbMessage(error);
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
  }

  /** One load at a time per file: DuckDB allows a single writing process. */
  private withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      await mkdir(dirname(this.options.path), { recursive: true });
      const instance = await DuckDBInstance.create(this.options.path);
      const connection = await instance.connect();
      try {
        return await work(connection);
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/**
 * DuckDB's error types that the same rows meet again on every retry (its messages start with the
 * type): a value that does not convert or is out of range, input it cannot read, a constraint.
 * I/O, catalog, transaction and memory errors are outages: retried as they are.
 */
const PERMANENT_ERRORS = /^(Conversion|Constraint|Out of Range|Invalid Input|Mismatch Type) Error/;

const CAST_SOURCE_COLUMN = /when casting from source column (\w+)/;

/**
 * The message of an error the addon threw. Read as a property: the addon's errors are not always
 * instances of this realm's Error (under a test runner's sandbox, for one).
 */
function duckdbMessage(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

async function readCatalog(connection: DuckDBConnection, schema: string): Promise<SchemaCatalog | undefined> {
  const exists = await connection.runAndReadAll(
    'SELECT 1 FROM information_schema.schemata WHERE schema_name = $1 AND catalog_name = current_database()',
    [schema],
  );
  if (exists.currentRowCount === 0) return undefined;
  const result = await connection.runAndReadAll(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
      WHERE table_schema = $1 AND table_catalog = current_database() ORDER BY table_name, ordinal_position`,
    [schema],
  );
  return catalogFromColumns(result.getRowsJS() as Array<[string, string, string]>, DUCKDB_DIALECT);
}

async function applyDdl(connection: DuckDBConnection, plan: LoadPlan): Promise<void> {
  for (const statement of ddlStatements(plan, DUCKDB_DIALECT)) await connection.run(statement);
}

async function loadTable(
  connection: DuckDBConnection,
  schema: string,
  table: TablePlan,
  index: number,
): Promise<number> {
  if (table.rows.length === 0) return 0;
  const stageName = `manifold_stage_${index}`;
  const stage = `temp.main.${quoteIdent(stageName)}`;
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE ${quoteIdent(stageName)} (${table.columns.map((c) => `${quoteIdent(c.name)} VARCHAR`).join(', ')})`,
  );
  const appender = await connection.createAppender(stageName, 'main', 'temp');
  for (const row of table.rows) {
    for (const cell of row) {
      if (cell === null) appender.appendNull();
      else appender.appendVarchar(typeof cell === 'string' ? cell : String(cell));
    }
    appender.endRow();
  }
  appender.closeSync();

  const columnList = table.columns.map((c) => quoteIdent(c.name)).join(', ');
  const casts = table.columns.map((c) => `CAST(${quoteIdent(c.name)} AS ${DUCKDB_TYPES[c.type]})`).join(', ');
  const target = qualified(schema, table.name);
  const sql =
    table.kind === 'users'
      ? mergeUsersSql(target, stage, table, columnList, casts)
      : `INSERT INTO ${target} (${columnList}) SELECT ${casts} FROM ${stage} ON CONFLICT (id) DO NOTHING`;
  const result = await connection.run(sql);
  const changed = result.rowsChanged;
  await connection.run(`DROP TABLE ${stage}`);
  return Number(changed);
}

/** The users merge (see usersMergeAssignments): the target's own name is the stored row. */
function mergeUsersSql(target: string, stage: string, table: TablePlan, columnList: string, casts: string): string {
  return `INSERT INTO ${target} (${columnList}) SELECT ${casts} FROM ${stage} ON CONFLICT (id) DO UPDATE SET ${usersMergeAssignments(table, target)}`;
}
