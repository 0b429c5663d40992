import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
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
import { copyChunks } from './copy-text';
import { postgresLimits } from './limits';
import { withPooledClient } from './pooled-client';
import { POSTGRES_DIFF_DIALECT, postgresSession } from './postgres-model-diff';
import { SqlModelDiff } from '../../reverse-etl/sql-model-diff';
import type { ModelDiffEngine } from '../../reverse-etl/model-diff';
import { POSTGRES_DIALECT, POSTGRES_TYPES } from './types';

export interface PostgresConnection {
  /** postgres://user:password@host:port/database; or the parts below. */
  url?: string;
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  ssl?: boolean;
}

export interface PostgresEngineOptions {
  connection: PostgresConnection;
  logger: Logger;
  /** How long to wait for a connection before the load fails (and is retried later). */
  connectTimeoutMs?: number;
  /** Longest a single statement may run. */
  statementTimeoutMs?: number;
}

/**
 * Loads into PostgreSQL, all in one transaction: event rows are copied straight into their table
 * unless some id is already there (then, like users, through a temporary staging table and one
 * INSERT … SELECT that skips present ids or merges traits).
 */
export class PostgresEngine implements WarehouseEngine {
  readonly kind = 'postgres';
  private readonly pool: pg.Pool;
  private readonly log: Logger;
  readonly models: ModelDiffEngine;

  constructor(options: PostgresEngineOptions) {
    const c = options.connection;
    this.log = options.logger.child({ component: 'postgres-engine' });
    this.pool = new pg.Pool({
      ...(c.url ? { connectionString: c.url } : {}),
      ...(c.host ? { host: c.host } : {}),
      ...(c.port ? { port: c.port } : {}),
      ...(c.user ? { user: c.user } : {}),
      ...(c.password ? { password: c.password } : {}),
      ...(c.database ? { database: c.database } : {}),
      ...(c.ssl ? { ssl: { rejectUnauthorized: true } } : {}),
      max: 2,
      // Staging tables are temporary: give them memory (the default 8MB spills a large load to disk).
      options: '-c temp_buffers=256MB',
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      idleTimeoutMillis: 30000,
      statement_timeout: options.statementTimeoutMs ?? 10 * 60 * 1000,
      // A URL may name the connection itself (…?application_name=…); otherwise it is ours.
      ...(c.url?.includes('application_name=') ? {} : { application_name: 'manifold-warehouse-loader' }),
    });
    // An idle connection that breaks (warehouse restarted, network cut) must not crash the
    // process; the next load simply gets a new connection.
    this.pool.on('error', (error) => this.log.warn({ err: error }, 'idle warehouse connection failed'));
    this.models = new SqlModelDiff(
      (work) =>
        withPooledClient(this.pool, this.log, async (client) => {
          // to_json writes a TIMESTAMPTZ in the session's zone, and the rows are published as it
          // writes them: in UTC (+00:00), as DuckDB's model sessions are, whatever zone the
          // server, database or role is set to. For the session, since a model's work spans
          // several transactions; the pool's other work does not depend on it (a load sets its own).
          await client.query("SET TIME ZONE 'UTC'");
          return work(postgresSession(client));
        }),
      POSTGRES_DIFF_DIALECT,
      (error) => this.describeError(error),
    );
  }

  async ping(): Promise<void> {
    await this.pool.query('select 1');
  }

  async load(batch: SourceBatch, options: LoadOptions = {}): Promise<SourceLoadResult> {
    return withPooledClient(this.pool, this.log, async (client, markBroken) => {
      try {
        await client.query('BEGIN');
        // A timestamp that names no zone is UTC, as every Spec timestamp is, whatever zone the
        // server or the role is set to (for this transaction only).
        await client.query("SET LOCAL TIME ZONE 'UTC'");
        // One load per schema at a time, whichever loader process runs it.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`manifold-warehouse:${batch.schema}`]);
        const catalog = await readCatalog(client, batch.schema);
        const dropped = catalog ? await readDroppedColumns(client, batch.schema) : new Map<string, number>();
        const timings = { planMs: 0, ddlMs: 0, copyMs: 0, mergeMs: 0 };
        let mark = performance.now();
        const lap = (): number => {
          const now = performance.now();
          const elapsed = now - mark;
          mark = now;
          return elapsed;
        };
        const plan = planLoad(batch, catalog, { limits: postgresLimits(dropped) });
        timings.planMs = lap();
        await applyDdl(client, plan);
        timings.ddlMs = lap();
        const keyed = await tablesUniqueOnId(client, batch.schema);
        const rowsByTable: Record<string, number> = {};
        for (const [index, table] of plan.tables.entries()) {
          rowsByTable[table.name] = await loadTable(client, plan, table, index, keyed.has(table.name), timings);
        }
        mark = performance.now();
        await client.query(options.trial ? 'ROLLBACK' : 'COMMIT');
        timings.mergeMs += lap();
        return { plan, rowsByTable, timings };
      } catch (error) {
        await client.query('ROLLBACK').catch(markBroken);
        throw error;
      }
    });
  }

  async catalog(schema: string): Promise<SchemaCatalog | undefined> {
    return withPooledClient(this.pool, this.log, (client) => readCatalog(client, schema));
  }

  async readTable(schema: string, table: string): Promise<Array<Record<string, CellValue | null>>> {
    const columns = (await this.catalog(schema))?.get(table);
    if (!columns) throw new Error(`no table ${schema}.${table}`);
    const { rows } = await this.pool.query<Record<string, CellValue | null>>(
      readTableSql(schema, table, columns, POSTGRES_DIALECT),
    );
    return rows;
  }

  classifyError(error: unknown): 'data' | 'unavailable' {
    const code = sqlState(error);
    return code !== undefined && PERMANENT_CLASSES.test(code) ? 'data' : 'unavailable';
  }

  refusedColumn(error: unknown): string | undefined {
    if (!(error instanceof pg.DatabaseError)) return undefined;
    // A not-null violation names its column; a value COPY could not read is named in the context.
    return error.column ?? COPY_CONTEXT_COLUMN.exec(error.where ?? '')?.[1];
  }

  describeError(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    const code = sqlState(error);
    return code === undefined ? message : `${message} (SQLSTATE ${code})`;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * SQLSTATE classes that the same rows meet again on every retry: 22 data exception (a value out
 * of range, an invalid byte sequence, an untranslatable character), 23 integrity constraint
 * violation (a NOT NULL or CHECK added by hand), 54 program limit exceeded (a row or index entry
 * too big, too many columns). Everything else (connections, shutdowns, locks, disk, permissions)
 * is an outage: retried as it is.
 */
const PERMANENT_CLASSES = /^(22|23|54)/;

/** PostgreSQL's context of a COPY error: `COPY <table>, line <n>, column <column>: "<value>"`. */
const COPY_CONTEXT_COLUMN = /^COPY [^,]+, line \d+, column ([^:\n]+)/;

/** The SQLSTATE of an error the server sent; undefined for client-side errors (ECONNRESET, …). */
function sqlState(error: unknown): string | undefined {
  return error instanceof pg.DatabaseError ? error.code : undefined;
}

/** Per table, the dropped columns PostgreSQL still counts against its 1,600. */
async function readDroppedColumns(client: pg.PoolClient, schema: string): Promise<Map<string, number>> {
  const { rows } = await client.query<{ table_name: string; dropped: number }>(
    `SELECT c.relname AS table_name, count(*)::int AS dropped
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND a.attnum > 0 AND a.attisdropped
      GROUP BY c.relname`,
    [schema],
  );
  return new Map(rows.map((r) => [r.table_name, r.dropped]));
}

async function readCatalog(client: pg.PoolClient, schema: string): Promise<SchemaCatalog | undefined> {
  const exists = await client.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema]);
  if (exists.rowCount === 0) return undefined;
  const { rows } = await client.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
      WHERE table_schema = $1 ORDER BY table_name, ordinal_position`,
    [schema],
  );
  return catalogFromColumns(
    rows.map((r) => [r.table_name, r.column_name, r.data_type] as const),
    POSTGRES_DIALECT,
  );
}

/** The schema's tables with a primary key or unique index on `id` alone (ours are created with one). */
async function tablesUniqueOnId(client: pg.PoolClient, schema: string): Promise<Set<string>> {
  const { rows } = await client.query<{ table_name: string }>(
    `SELECT c.relname AS table_name
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
      WHERE n.nspname = $1 AND i.indisunique AND i.indnatts = 1 AND i.indpred IS NULL AND a.attname = 'id'`,
    [schema],
  );
  return new Set(rows.map((r) => r.table_name));
}

async function applyDdl(client: pg.PoolClient, plan: LoadPlan): Promise<void> {
  for (const statement of ddlStatements(plan, POSTGRES_DIALECT)) await client.query(statement);
}

async function loadTable(
  client: pg.PoolClient,
  plan: LoadPlan,
  table: TablePlan,
  index: number,
  uniqueOnId: boolean,
  timings: SourceLoadResult['timings'],
): Promise<number> {
  if (table.rows.length === 0) return 0;
  const target = qualified(plan.schema, table.name);
  const columnList = table.columns.map((c) => quoteIdent(c.name)).join(', ');
  // Only a key on id makes PostgreSQL refuse a repeated one (a table made by hand may lack it).
  if (table.kind === 'events' && uniqueOnId) {
    const copied = await copyStraightIn(client, plan, table, target, columnList);
    timings.copyMs += copied.ms;
    if (copied.rows !== undefined) return copied.rows;
  }
  let mark = performance.now();
  const stage = quoteIdent(`manifold_stage_${index}`);
  await client.query(
    `CREATE TEMP TABLE ${stage} (${table.columns.map((c) => `${quoteIdent(c.name)} ${POSTGRES_TYPES[c.type]}`).join(', ')}) ON COMMIT DROP`,
  );
  await pipeline(
    Readable.from(copyChunks(table.rows, { plainText: plan.plainText })),
    client.query(copyFrom(`COPY ${stage} (${columnList}) FROM STDIN`)),
  );
  timings.copyMs += performance.now() - mark;
  mark = performance.now();
  const result = await client.query(
    table.kind === 'users'
      ? mergeUsersSql(target, stage, table)
      : // An anti-join rather than ON CONFLICT: about half the cost, and safe because every load
        // of a schema holds its advisory lock (ids within a batch are already unique).
        `INSERT INTO ${target} (${columnList}) SELECT ${columnList} FROM ${stage} s
          WHERE NOT EXISTS (SELECT 1 FROM ${target} t WHERE t.id = s.id)`,
  );
  timings.mergeMs += performance.now() - mark;
  return result.rowCount ?? 0;
}

/** SQLSTATE unique_violation: here, an id the event table already holds. */
const UNIQUE_VIOLATION = '23505';

/**
 * Event rows almost never repeat (only a redelivery after a crash brings ids back), so they are
 * first copied straight into the table, which costs half of staging and merging them. The primary
 * key on `id` refuses the whole COPY if any id is already there: the savepoint then undoes it and
 * `rows` is undefined, so the caller stages and merges, skipping the ids present.
 */
async function copyStraightIn(
  client: pg.PoolClient,
  plan: LoadPlan,
  table: TablePlan,
  target: string,
  columnList: string,
): Promise<{ rows: number | undefined; ms: number }> {
  const started = performance.now();
  await client.query('SAVEPOINT manifold_direct_copy');
  try {
    await pipeline(
      Readable.from(copyChunks(table.rows, { plainText: plan.plainText })),
      client.query(copyFrom(`COPY ${target} (${columnList}) FROM STDIN`)),
    );
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== UNIQUE_VIOLATION) throw error;
    await client.query('ROLLBACK TO SAVEPOINT manifold_direct_copy');
    return { rows: undefined, ms: performance.now() - started };
  }
  await client.query('RELEASE SAVEPOINT manifold_direct_copy');
  return { rows: table.rows.length, ms: performance.now() - started };
}

/** The users merge (see usersMergeAssignments): `t` is the stored row. */
function mergeUsersSql(target: string, stage: string, table: TablePlan): string {
  const columnList = table.columns.map((c) => quoteIdent(c.name)).join(', ');
  return `INSERT INTO ${target} AS t (${columnList}) SELECT ${columnList} FROM ${stage}
    ON CONFLICT (id) DO UPDATE SET ${usersMergeAssignments(table, 't')}`;
}
