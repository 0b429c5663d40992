import type { ModelDiffEngine } from '../reverse-etl/model-diff';
import type { CellValue, LoadPlan, SchemaCatalog, SourceBatch } from '../layout';

export interface SourceLoadResult {
  /** What was executed: tables created, columns added, notices. */
  plan: LoadPlan;
  /** Rows that changed per table: new event rows (duplicates excluded) and upserted users. */
  rowsByTable: Record<string, number>;
  /** Where the time went (ms): fitting the batch to the catalog, DDL, COPY/append, merge. */
  timings: { planMs: number; ddlMs: number; copyMs: number; mergeMs: number };
}

export interface LoadOptions {
  /**
   * Run the whole load (DDL, rows, merge) and roll it back instead of committing: whether the
   * warehouse would take this batch, leaving nothing behind. The loader tries which values of an
   * event the warehouse refuses this way before it commits the event without them.
   */
  trial?: boolean;
}

/**
 * One warehouse engine: executes a source's load plan in a single transaction, so a load is
 * either entirely in the warehouse or not at all. The caller commits Kafka offsets only after
 * load() resolves.
 */
export interface WarehouseEngine {
  readonly kind: string;
  /** Reverse ETL: a model's query diffed against its last result, in this warehouse. */
  readonly models: ModelDiffEngine;
  /** Connects and runs a trivial query; throws when the warehouse cannot be reached. */
  ping(): Promise<void>;
  load(batch: SourceBatch, options?: LoadOptions): Promise<SourceLoadResult>;
  /** The tables and column types of a schema; undefined when the schema does not exist. */
  catalog(schema: string): Promise<SchemaCatalog | undefined>;
  /**
   * Every row of a table ordered by id, with engine types read back as layout cells
   * (timestamps as ISO-8601 UTC with milliseconds). For tests, checks and small tables only.
   */
  readTable(schema: string, table: string): Promise<Array<Record<string, CellValue | null>>>;
  close(): Promise<void>;
  /**
   * 'data' when the warehouse refused the rows themselves and will refuse them again on every
   * retry (a value out of a column's range, an invalid byte sequence, a row or index entry too
   * big, a constraint): the loader isolates the events at fault, sets them aside with the reason
   * and loads the rest. 'unavailable' for everything else (connection, shutdown, locks,
   * resources): retried with backoff as it is.
   */
  classifyError(error: unknown): 'data' | 'unavailable';
  /**
   * The column whose value the warehouse refused, when its error names one (PostgreSQL's COPY
   * context or not-null column, DuckDB's cast message); undefined otherwise. A hint only: the
   * loader checks it with a trial load before it drops that column's value.
   */
  refusedColumn(error: unknown): string | undefined;
  /** The error as a reason people can act on (with the engine's error code when it has one). */
  describeError(error: unknown): string;
}
