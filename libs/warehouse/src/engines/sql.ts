import type { ColumnType, LoadPlan, SchemaCatalog, TablePlan } from '../layout';

// The SQL both engines write, PostgreSQL's and DuckDB's alike but for what a dialect says.

/** What differs between the engines' SQL. */
export interface SqlDialect {
  /** The column type each layout type is stored as. */
  types: Readonly<Record<ColumnType, string>>;
  /** The layout type of a column the catalog reports with this data type. */
  columnType(dataType: string): ColumnType;
  /**
   * A select expression reading a column back as a layout cell (timestamps as ISO-8601 UTC with
   * milliseconds, integers as doubles), named as the column.
   */
  readColumn(quotedColumn: string, type: ColumnType): string;
}

/** A double-quoted SQL identifier, for PostgreSQL and DuckDB alike. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function qualified(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

/** The statements that create a plan's schema and tables and add its new columns; each can run again. */
export function ddlStatements(plan: LoadPlan, dialect: SqlDialect): string[] {
  const statements: string[] = [];
  if (plan.createSchema) statements.push(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(plan.schema)}`);
  for (const table of plan.tables) {
    const name = qualified(plan.schema, table.name);
    if (table.create) {
      const columns = table.columns.map(
        (c) => `${quoteIdent(c.name)} ${dialect.types[c.type]}${c.name === 'id' ? ' PRIMARY KEY' : ''}`,
      );
      statements.push(`CREATE TABLE IF NOT EXISTS ${name} (${columns.join(', ')})`);
    }
    for (const column of table.addColumns) {
      statements.push(
        `ALTER TABLE ${name} ADD COLUMN IF NOT EXISTS ${quoteIdent(column.name)} ${dialect.types[column.type]}`,
      );
    }
  }
  return statements;
}

/** A schema's catalog from information_schema.columns rows: [table, column, data type]. */
export function catalogFromColumns(
  rows: Iterable<readonly [table: string, column: string, dataType: string]>,
  dialect: SqlDialect,
): SchemaCatalog {
  const catalog: SchemaCatalog = new Map();
  for (const [tableName, columnName, dataType] of rows) {
    let table = catalog.get(tableName);
    if (!table) catalog.set(tableName, (table = new Map()));
    table.set(columnName, dialect.columnType(dataType));
  }
  return catalog;
}

/** Every row of a table ordered by id, its columns read back as layout cells. */
export function readTableSql(
  schema: string,
  table: string,
  columns: ReadonlyMap<string, ColumnType>,
  dialect: SqlDialect,
): string {
  const select = [...columns].map(([name, type]) => dialect.readColumn(quoteIdent(name), type));
  return `SELECT ${select.join(', ')} FROM ${qualified(schema, table)} ORDER BY id`;
}

/**
 * The SET list of the users merge (`ON CONFLICT (id) DO UPDATE SET …`), `stored` naming the row
 * already in the table: it takes each trait of the incoming row if the incoming identify is the
 * later one (by received_at), else only fills traits it lacks. The rule of foldUser, so the result
 * does not depend on the order loads ran in, and running one twice changes nothing.
 */
export function usersMergeAssignments(table: TablePlan, stored: string): string {
  const newer = `${stored}.received_at IS NULL OR excluded.received_at >= ${stored}.received_at`;
  return table.columns
    .filter((c) => c.name !== 'id')
    .map((c) => {
      const col = quoteIdent(c.name);
      const current = `${stored}.${col}`;
      if (c.name === 'received_at') return `${col} = GREATEST(${current}, excluded.${col})`;
      if (c.name === 'uuid_ts') return `${col} = excluded.${col}`;
      return `${col} = CASE WHEN ${newer} THEN COALESCE(excluded.${col}, ${current}) ELSE COALESCE(${current}, excluded.${col}) END`;
    })
    .join(', ');
}
