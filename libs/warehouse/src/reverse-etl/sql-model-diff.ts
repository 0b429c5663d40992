import { parseJsonExact } from '@manifold/json';
import { qualified, quoteIdent } from '../engines/sql';
import {
  CHANGE_KINDS,
  ModelRunError,
  PREVIEW_TIMEOUT_MS,
  RETL_SCHEMA,
  modelStatement,
  modelTables,
  type ChangeKind,
  type ModelDiffEngine,
  type ModelPreview,
  type ModelQuery,
  type PreviewOptions,
  type PrepareOptions,
  type PreparedChanges,
  type RowChange,
  type RowValue,
} from './model-diff';
import { quoteNonFiniteNumbers } from './non-finite-json';

/** One connection's worth of statements, as each engine runs them. Parameters are `$1`, `$2`, … */
export interface SqlSession {
  run(sql: string): Promise<void>;
  rows<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Rows as arrays of their columns' values in the statement's order: no object per row (a run's pages). */
  arrays(sql: string, params?: unknown[]): Promise<unknown[][]>;
  /**
   * A read-only query the warehouse stops after `timeoutMs`: it then throws StatementTimeoutError
   * (the session stays usable).
   */
  rowsWithin<T extends Record<string, unknown>>(sql: string, timeoutMs: number): Promise<T[]>;
}

/** A statement the warehouse stopped because it ran past its time (SqlSession.rowsWithin). */
export class StatementTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the statement ran longer than ${timeoutMs} ms and was stopped`);
    this.name = 'StatementTimeoutError';
  }
}

/** What differs between PostgreSQL's and DuckDB's SQL here. */
export interface DiffDialect {
  /** A column cast to text (the form rows are compared and keys are ordered in). */
  text(expression: string): string;
  /** A key expression ordered byte-wise, whatever the database's collation. */
  byteOrder(expression: string): string;
  /**
   * A table alias's whole row as JSON text. `columns` are the row's columns with their types, when
   * known: an engine whose to_json writes some types otherwise than PostgreSQL's writes them so.
   */
  rowJson(alias: string, columns?: readonly Column[]): string;
  /**
   * A statement whose rows name a query's columns and types (`column_name`, `column_type`), for a
   * dialect whose rowJson needs them in a preview; without it the preview passes none.
   */
  describe?(statement: string): string;
  /** The statement that opens a transaction. */
  begin: string;
}

/** Runs a unit of work on one session of the engine (a pooled client; an opened DuckDB file). */
export type WithSession = <T>(work: (session: SqlSession) => Promise<T>) => Promise<T>;

/** A column as information_schema names it and its type. */
export interface Column {
  name: string;
  type: string;
}

/**
 * The model diff of ModelDiffEngine, in SQL both engines run. `describe` turns a warehouse error
 * into the reason recorded on the run (the engine's describeError, credentials masked).
 */
export class SqlModelDiff implements ModelDiffEngine {
  constructor(
    private readonly withSession: WithSession,
    private readonly dialect: DiffDialect,
    private readonly describe: (error: unknown) => string,
  ) {}

  prepare(model: ModelQuery, options: PrepareOptions = {}): Promise<PreparedChanges> {
    return this.withSession(async (session) => {
      const t = modelTables(model.modelId);
      const stage = qualified(RETL_SCHEMA, t.stage);
      const changes = qualified(RETL_SCHEMA, t.changes);
      await session.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(RETL_SCHEMA)}`);
      await session.run(`DROP TABLE IF EXISTS ${changes}`);
      await session.run(`DROP TABLE IF EXISTS ${stage}`);
      try {
        await session.run(`CREATE TABLE ${stage} AS SELECT * FROM (${modelStatement(model.sql)}) AS manifold_model`);
      } catch (error) {
        throw new ModelRunError('QUERY_FAILED', `the model's query failed: ${this.describe(error)}`);
      }
      try {
        const columns = await tableColumns(session, t.stage);
        await checkIdentifier(session, stage, columns, model.identifierColumn, this.dialect);
        const previous = await tableColumns(session, t.snapshot);
        if (previous.length > 0) checkSameColumns(previous, columns);
        const firstRun = previous.length === 0;
        await session.run(
          firstRun && options.startFromNow
            ? `CREATE TABLE ${changes} AS SELECT CAST('added' AS VARCHAR) AS change_kind, CAST('' AS VARCHAR) AS row_key, CAST('' AS VARCHAR) AS row_json WHERE 1 = 0`
            : changesSql(model, t, columns, firstRun ? undefined : previous, this.dialect),
        );
        // Pages are read in key order from the last key read (keyset), never by offset.
        await session.run(
          `CREATE INDEX ${quoteIdent(`${t.changes}_key`)} ON ${changes} (${this.dialect.byteOrder('row_key')})`,
        );
        const counts = await countChanges(session, changes);
        return { counts, columns: columns.map((c) => c.name), firstRun };
      } catch (error) {
        await session.run(`DROP TABLE IF EXISTS ${changes}`);
        await session.run(`DROP TABLE IF EXISTS ${stage}`);
        throw error;
      }
    });
  }

  hasPrepared(modelId: string): Promise<boolean> {
    return this.withSession(async (session) => (await tableColumns(session, modelTables(modelId).changes)).length > 0);
  }

  readChanges(modelId: string, afterKey: string | undefined, limit: number): Promise<RowChange[]> {
    return this.withSession(async (session) => {
      const t = modelTables(modelId);
      const key = this.dialect.byteOrder('row_key');
      let rows: unknown[][];
      try {
        rows = await session.arrays(
          `SELECT change_kind, row_key, row_json FROM ${qualified(RETL_SCHEMA, t.changes)}
            ${afterKey === undefined ? '' : `WHERE ${key} > $1`}
            ORDER BY ${key} LIMIT ${Math.max(1, Math.floor(limit))}`,
          afterKey === undefined ? [] : [afterKey],
        );
      } catch (error) {
        // Looked up only when the read fails: a run reads many pages, and a missing table is rare.
        if ((await tableColumns(session, t.changes)).length === 0) {
          throw new ModelRunError('NO_PREPARED_CHANGES', `model ${modelId} has no prepared changes`);
        }
        throw error;
      }
      const changes = new Array<RowChange>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const [kind, key, rowJson] = rows[i] as [string, string, string];
        changes[i] = { kind: kind as ChangeKind, key, rowJson: quoteNonFiniteNumbers(rowJson) };
      }
      return changes;
    });
  }

  promote(modelId: string): Promise<void> {
    return this.withSession(async (session) => {
      const t = modelTables(modelId);
      if ((await tableColumns(session, t.stage)).length === 0) {
        throw new ModelRunError('NO_PREPARED_CHANGES', `model ${modelId} has no staged result to promote`);
      }
      await inTransaction(session, this.dialect, [
        `DROP TABLE IF EXISTS ${qualified(RETL_SCHEMA, t.snapshot)}`,
        `ALTER TABLE ${qualified(RETL_SCHEMA, t.stage)} RENAME TO ${quoteIdent(t.snapshot)}`,
        `DROP TABLE IF EXISTS ${qualified(RETL_SCHEMA, t.changes)}`,
      ]);
    });
  }

  discard(modelId: string): Promise<void> {
    return this.withSession(async (session) => {
      const t = modelTables(modelId);
      await session.run(`DROP TABLE IF EXISTS ${qualified(RETL_SCHEMA, t.changes)}`);
      await session.run(`DROP TABLE IF EXISTS ${qualified(RETL_SCHEMA, t.stage)}`);
    });
  }

  async reset(modelId: string): Promise<void> {
    await this.discard(modelId);
    await this.withSession((session) =>
      session.run(`DROP TABLE IF EXISTS ${qualified(RETL_SCHEMA, modelTables(modelId).snapshot)}`),
    );
  }

  preview(sql: string, limit: number, options: PreviewOptions = {}): Promise<ModelPreview> {
    const timeoutMs = Math.max(1, Math.floor(options.timeoutMs ?? PREVIEW_TIMEOUT_MS));
    return this.withSession(async (session) => {
      const statement = modelStatement(sql);
      // One budget for both statements: the count gets what the rows left of it.
      const deadline = Date.now() + timeoutMs;
      const left = () => Math.max(1, deadline - Date.now());
      try {
        const columns = this.dialect.describe
          ? (
              await session.rowsWithin<{ column_name: string; column_type: string }>(
                this.dialect.describe(statement),
                left(),
              )
            ).map((c) => ({ name: c.column_name, type: c.column_type }))
          : undefined;
        if (columns?.some((c) => c.name.toLowerCase() === PREVIEW_ALIAS)) throw reservedPreviewAlias();
        // Without the columns, a column named as the alias would be taken for the whole row, which
        // is then not an object (checked below).
        const rows = await session.rowsWithin<{ row_json: string }>(
          `SELECT ${this.dialect.rowJson(PREVIEW_ALIAS, columns)} AS row_json FROM (${statement}) AS ${PREVIEW_ALIAS} LIMIT ${Math.max(0, Math.floor(limit))}`,
          left(),
        );
        const [count] = await session.rowsWithin<{ n: string | number | bigint }>(
          `SELECT count(*) AS n FROM (${statement}) AS m`,
          left(),
        );
        // As the runner publishes them: integers beyond 2^53 as their digits (parseJsonExact).
        const parsed = rows.map((r) => parseJsonExact(quoteNonFiniteNumbers(r.row_json)));
        if (parsed.some((row) => typeof row !== 'object' || row === null || Array.isArray(row))) {
          throw reservedPreviewAlias();
        }
        return { rows: parsed as Array<Record<string, RowValue>>, rowCount: Number(count?.n ?? 0) };
      } catch (error) {
        if (error instanceof ModelRunError) throw error;
        if (error instanceof StatementTimeoutError) {
          throw new ModelRunError(
            'QUERY_TIMEOUT',
            `the query ran longer than the preview's limit of ${seconds(timeoutMs)} and was stopped: preview a lighter query (a LIMIT, fewer joins) or check it in the warehouse itself`,
          );
        }
        throw new ModelRunError('QUERY_FAILED', `the model's query failed: ${this.describe(error)}`);
      }
    });
  }
}

/** The preview's alias of the query's rows. */
const PREVIEW_ALIAS = 'manifold_preview_row';

function reservedPreviewAlias(): ModelRunError {
  return new ModelRunError(
    'QUERY_FAILED',
    `a column of the query is named ${PREVIEW_ALIAS}, a name Manifold keeps for its own use: rename it`,
  );
}

/** "30 s", "0.5 s". */
function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/** Statements run together, all or nothing. */
async function inTransaction(session: SqlSession, dialect: DiffDialect, statements: string[]): Promise<void> {
  await session.run(dialect.begin);
  try {
    for (const statement of statements) await session.run(statement);
    await session.run('COMMIT');
  } catch (error) {
    await session.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** A table's columns in the Manifold schema, in order; none when the table does not exist. */
async function tableColumns(session: SqlSession, table: string): Promise<Column[]> {
  const rows = await session.rows<{ column_name: string; data_type: string }>(
    `SELECT column_name, data_type FROM information_schema.columns
      WHERE table_catalog = current_database() AND table_schema = $1 AND table_name = $2
      ORDER BY ordinal_position`,
    [RETL_SCHEMA, table],
  );
  return rows.map((r) => ({ name: r.column_name, type: r.data_type }));
}

/** The characters a blank identifier is made of (ASCII white space), as SQL both engines read. */
const BLANKS = `' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)`;

async function checkIdentifier(
  session: SqlSession,
  stage: string,
  columns: Column[],
  identifier: string,
  dialect: DiffDialect,
): Promise<void> {
  if (!columns.some((c) => c.name === identifier)) {
    throw new ModelRunError(
      'IDENTIFIER_MISSING',
      `the unique identifier column "${identifier}" is not among the query's columns (${columns.map((c) => c.name).join(', ')})`,
    );
  }
  const id = quoteIdent(identifier);
  // An empty or blank identifier (text of spaces, tabs, line breaks) names no one either: a
  // destination takes it for a missing id or refuses it, and every such row would be one key.
  const [missing] = await session.rows<{ nulls: string | number | bigint; blanks: string | number | bigint }>(
    `SELECT count(*) FILTER (WHERE ${id} IS NULL) AS nulls,
        count(*) FILTER (WHERE TRIM(BOTH ${BLANKS} FROM ${dialect.text(id)}) = '') AS blanks
      FROM ${stage}`,
  );
  const nulls = Number(missing?.nulls ?? 0);
  const blanks = Number(missing?.blanks ?? 0);
  if (nulls + blanks > 0) {
    const rows = (n: number) => (n === 1 ? '1 row has' : `${n} rows have`);
    const column = `the unique identifier column "${identifier}"`;
    throw new ModelRunError(
      'IDENTIFIER_NULL',
      blanks === 0
        ? `${rows(nulls)} no value in ${column}`
        : nulls === 0
          ? `${rows(blanks)} an empty or blank value in ${column}`
          : `${rows(nulls + blanks)} no value in ${column} (${nulls} null, ${blanks} empty or blank)`,
    );
  }
  const repeated = await session.rows<{ k: string; n: string | number | bigint }>(
    `SELECT ${dialect.text(id)} AS k, count(*) AS n FROM ${stage} GROUP BY ${id} HAVING count(*) > 1 ORDER BY count(*) DESC, k LIMIT 5`,
  );
  if (repeated.length > 0) {
    const examples = repeated.map((r) => `${JSON.stringify(r.k)} (${Number(r.n)} rows)`).join(', ');
    throw new ModelRunError(
      'IDENTIFIER_NOT_UNIQUE',
      `the unique identifier column "${identifier}" repeats values, e.g. ${examples}`,
    );
  }
}

function checkSameColumns(previous: Column[], current: Column[]): void {
  const before = new Map(previous.map((c) => [c.name, c.type]));
  const now = new Map(current.map((c) => [c.name, c.type]));
  const added = current.filter((c) => !before.has(c.name)).map((c) => c.name);
  const removed = previous.filter((c) => !now.has(c.name)).map((c) => c.name);
  const retyped = current
    .filter((c) => before.has(c.name) && before.get(c.name) !== c.type)
    .map((c) => `${c.name} (${before.get(c.name)} → ${c.type})`);
  if (added.length + removed.length + retyped.length === 0) return;
  const parts = [
    added.length ? `added ${added.join(', ')}` : '',
    removed.length ? `removed ${removed.join(', ')}` : '',
    retyped.length ? `changed type ${retyped.join(', ')}` : '',
  ].filter(Boolean);
  throw new ModelRunError(
    'COLUMNS_CHANGED',
    `the query's columns differ from the last run's (${parts.join('; ')}); reset the model to start again from its new columns`,
  );
}

/**
 * The changes table: staged rows whose identifier the snapshot lacks (added), staged rows whose
 * identifier it has with any column different (updated: compared as text, which every type has
 * and which is null-safe with IS DISTINCT FROM), snapshot rows whose identifier is no longer
 * staged (deleted: the identifier, the other columns null). Without a snapshot every staged row
 * is added.
 */
function changesSql(
  model: ModelQuery,
  t: ReturnType<typeof modelTables>,
  columns: Column[],
  snapshotColumns: Column[] | undefined,
  dialect: DiffDialect,
): string {
  const stage = qualified(RETL_SCHEMA, t.stage);
  const changes = qualified(RETL_SCHEMA, t.changes);
  const id = quoteIdent(model.identifierColumn);
  // The whole row is taken by its table's alias, and a column of that name would be taken instead
  // (both engines look for a column first): the aliases are names no column of the model has.
  const taken = [...columns, ...(snapshotColumns ?? [])];
  const s = freeAlias('manifold_stage', taken);
  const p = freeAlias('manifold_prev', taken);
  const q = freeAlias('manifold_gone', taken);
  const pick = (kind: ChangeKind, alias: string, rowColumns: readonly Column[]) =>
    `SELECT CAST('${kind}' AS VARCHAR) AS change_kind, ${dialect.text(`${alias}.${id}`)} AS row_key, ${dialect.rowJson(alias, rowColumns)} AS row_json`;
  if (!snapshotColumns) return `CREATE TABLE ${changes} AS ${pick('added', s, columns)} FROM ${stage} ${s}`;
  const snapshot = qualified(RETL_SCHEMA, t.snapshot);
  const differs = snapshotColumns
    .map(
      (c) =>
        `${dialect.text(`${s}.${quoteIdent(c.name)}`)} IS DISTINCT FROM ${dialect.text(`${p}.${quoteIdent(c.name)}`)}`,
    )
    .join(' OR ');
  // A deleted row as Segment sends it: its identifier, every other column null (its last values
  // are gone from the source, and a destination told them again would take them for current).
  const deletedColumns = snapshotColumns
    .map((c) => (c.name === model.identifierColumn ? `${q}.${id}` : `NULL AS ${quoteIdent(c.name)}`))
    .join(', ');
  // Only the identifier keeps its type there (the other columns are untyped nulls).
  const deletedTyped = snapshotColumns.filter((c) => c.name === model.identifierColumn);
  const deletedRows = `SELECT ${deletedColumns} FROM ${snapshot} ${q} WHERE NOT EXISTS (SELECT 1 FROM ${stage} ${s} WHERE ${s}.${id} = ${q}.${id})`;
  return `CREATE TABLE ${changes} AS
    ${pick('added', s, columns)} FROM ${stage} ${s} WHERE NOT EXISTS (SELECT 1 FROM ${snapshot} ${p} WHERE ${p}.${id} = ${s}.${id})
    UNION ALL
    ${pick('updated', s, columns)} FROM ${stage} ${s} JOIN ${snapshot} ${p} ON ${p}.${id} = ${s}.${id} WHERE ${differs}
    UNION ALL
    ${pick('deleted', p, deletedTyped)} FROM (${deletedRows}) ${p}`;
}

/** `base`, or `base_2`, `base_3`…: the first no column is named (compared as the engines fold unquoted names). */
function freeAlias(base: string, columns: Column[]): string {
  const names = new Set(columns.map((c) => c.name.toLowerCase()));
  let alias = base;
  for (let n = 2; names.has(alias); n++) alias = `${base}_${n}`;
  return alias;
}

async function countChanges(session: SqlSession, changes: string): Promise<Record<ChangeKind, number>> {
  const rows = await session.rows<{ change_kind: string; n: string | number | bigint }>(
    `SELECT change_kind, count(*) AS n FROM ${changes} GROUP BY change_kind`,
  );
  const counts = Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<ChangeKind, number>;
  for (const r of rows) counts[r.change_kind as ChangeKind] = Number(r.n);
  return counts;
}
