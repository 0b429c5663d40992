import type { ChangeKind } from '@manifold/warehouse';

/** When a model runs by itself: never (only "run now"), every so many seconds, or on a cron expression (UTC). */
export type ModelSchedule =
  { kind: 'manual' } | { kind: 'interval'; seconds: number } | { kind: 'cron'; expression: string };

/** A warehouse query that is a source: its result's changes from one run to the next become events. */
export interface ReverseEtlModel {
  id: string;
  workspaceId: string;
  name: string;
  /** The warehouse (a warehouse destination instance) the query runs in. */
  warehouseId: string;
  /** One SQL statement. */
  sql: string;
  /** The column whose value identifies a row from one run to the next; unique and never null. */
  identifierColumn: string;
  schedule: ModelSchedule;
  enabled: boolean;
  /** The first run takes the result as it is and sends nothing (instead of every row as added). */
  startFromNow: boolean;
  /** The latest "run now" (ISO-8601): a runner starts a run when no run started after it. */
  runRequestedAt?: string;
  /**
   * The latest "reset" (ISO-8601): the next run forgets the last result (every row is added, or
   * none with start from now), e.g. after the query's columns changed.
   */
  resetRequestedAt?: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * A model connected to one destination instance: which change kinds it takes, which action of
 * the destination they run and with which field mapping (mapping-kit directives over the event a
 * row change becomes: the row's columns are under `$.properties`).
 */
export interface ReverseEtlConnection {
  id: string;
  workspaceId: string;
  modelId: string;
  destinationId: string;
  changeKinds: ChangeKind[];
  action: string;
  fields: Record<string, unknown>;
  enabled: boolean;
  /** Most row changes per second the model's runs publish for this instance. */
  rowsPerSecond: number;
}

export type RunStatus = 'running' | 'succeeded' | 'failed';
/** Where a running run is, so that a runner taking it over knows what is left. */
export type RunPhase = 'preparing' | 'publishing' | 'promoting' | 'done';

export interface ReverseEtlRun {
  id: string;
  modelId: string;
  workspaceId: string;
  trigger: 'schedule' | 'manual';
  status: RunStatus;
  phase: RunPhase;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  /** Row changes the diff found, per kind. */
  counts: Record<ChangeKind, number>;
  /** Row changes published to Kafka, per kind. */
  published: Record<ChangeKind, number>;
  /** Row changes of a kind no enabled connection takes: not published. */
  skipped: Record<ChangeKind, number>;
  /** The key of the last row change of the last page published (pages go in key order). */
  lastKey?: string;
  /** Why the run failed and sent nothing more: the diff's code (QUERY_FAILED, …) and the reason. */
  error?: { code: string; message: string };
  /** The latest failure while publishing (Kafka unreachable, …): the run goes on from its last page. */
  lastAttemptError?: string;
}

export function zeroCounts(): Record<ChangeKind, number> {
  return { added: 0, updated: 0, deleted: 0 };
}
