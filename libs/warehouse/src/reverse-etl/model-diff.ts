import { createHash } from 'node:crypto';
import type { ChangeKind } from '@manifold/events';

// The change kinds are the events library's: delivery reports name them too.
export { CHANGE_KINDS, type ChangeKind } from '@manifold/events';

/** A JSON value as a row's cell reads back (an integer beyond 2^53 as a string of its digits: parseJsonExact). */
export type RowValue = string | number | boolean | null | RowValue[] | { [key: string]: RowValue };

export interface ModelQuery {
  /** The model's id: names its tables in the Manifold schema (see modelTableKey). */
  modelId: string;
  /** One SQL statement (a trailing `;` is allowed) whose result the model is. */
  sql: string;
  /** The column whose value identifies a row from one run to the next. */
  identifierColumn: string;
}

export interface PrepareOptions {
  /**
   * With no previous result: take this run's result as the snapshot and send nothing ("start
   * from now"), instead of every row as added.
   */
  startFromNow?: boolean;
}

export interface PreparedChanges {
  counts: Record<ChangeKind, number>;
  /** The query's columns, in its order. */
  columns: string[];
  /** The model had no previous result (first run, or after a reset). */
  firstRun: boolean;
}

/** How long a preview may run in the warehouse, both of its statements together. */
export interface PreviewOptions {
  timeoutMs?: number;
}

/** The default of PreviewOptions.timeoutMs. */
export const PREVIEW_TIMEOUT_MS = 30_000;

export interface ModelPreview {
  rows: Array<Record<string, RowValue>>;
  /** Every row of the query, not only those shown. */
  rowCount: number;
}

export interface RowChange {
  kind: ChangeKind;
  /** The identifier as text: the paging key (changes are read in the byte order of keys). */
  key: string;
  /**
   * Every column of the row as one JSON object, the text the warehouse wrote (columns in the
   * query's order; numbers with every digit the warehouse holds); for a deleted row, its
   * identifier and every other column null. Kept as text: the runner publishes it as it is.
   */
  rowJson: string;
}

export type ModelRunErrorCode =
  | 'QUERY_FAILED'
  | 'IDENTIFIER_MISSING'
  | 'IDENTIFIER_NULL'
  | 'IDENTIFIER_NOT_UNIQUE'
  | 'COLUMNS_CHANGED'
  | 'NO_PREPARED_CHANGES'
  | 'QUERY_TIMEOUT';

/** Why a model's run sends nothing: what the user must change, in words. */
export class ModelRunError extends Error {
  constructor(
    readonly code: ModelRunErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ModelRunError';
  }
}

/**
 * A model's diff, kept in the warehouse itself (schema `manifold_retl`): the query runs into a
 * staging table, is checked (identifier present, non-null and unique; same columns as the last
 * result), and compared with the snapshot of the last completed run into a changes table, all by
 * the warehouse. Changes are then read page by page; only `promote` makes the staged result the
 * new snapshot, so a run that stops half-way leaves its changes to be read again.
 */
export interface ModelDiffEngine {
  /** Runs the query and computes the changes; throws ModelRunError (nothing prepared) when it cannot. */
  prepare(model: ModelQuery, options?: PrepareOptions): Promise<PreparedChanges>;
  /** Whether changes prepared by an earlier run are waiting (a run that did not finish). */
  hasPrepared(modelId: string): Promise<boolean>;
  /** The prepared changes whose key comes after `afterKey` (all when undefined), `limit` at most. */
  readChanges(modelId: string, afterKey: string | undefined, limit: number): Promise<RowChange[]>;
  /** The staged result becomes the snapshot; the changes are dropped. */
  promote(modelId: string): Promise<void>;
  /** Drops what prepare made; the snapshot stays as it was. */
  discard(modelId: string): Promise<void>;
  /** Forgets the snapshot too: the next run sees every row as added. */
  reset(modelId: string): Promise<void>;
  /**
   * The first `limit` rows of a query and its row count, for a model editor's preview. The
   * warehouse stops the query after `timeoutMs` (QUERY_TIMEOUT), so a heavy query cannot hold
   * the editor or the warehouse.
   */
  preview(sql: string, limit: number, options?: PreviewOptions): Promise<ModelPreview>;
}

export const RETL_SCHEMA = 'manifold_retl';

/**
 * The suffix of a model's tables: its id in lower case with anything but letters, digits and
 * `_` replaced, shortened with a hash when long (PostgreSQL names stop at 63 bytes).
 */
export function modelTableKey(modelId: string): string {
  const plain = modelId.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (plain === modelId && plain.length <= 40) return plain;
  const hash = createHash('sha256').update(modelId).digest('hex').slice(0, 10);
  return `${plain.slice(0, 29)}_${hash}`;
}

export function modelTables(modelId: string): { stage: string; snapshot: string; changes: string } {
  const key = modelTableKey(modelId);
  return { stage: `stage_${key}`, snapshot: `snapshot_${key}`, changes: `changes_${key}` };
}

/** The statement without trailing semicolons and blanks: it is run as a subquery. */
export function modelStatement(sql: string): string {
  return sql.trim().replace(/[;\s]+$/, '');
}
