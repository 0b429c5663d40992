import { CHANGE_KINDS, type ChangeKind } from '@manifold/warehouse';

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
  /**
   * The first run takes the result as it is and sends nothing (instead of every row as added).
   * Only until a run completes: after a reset every row is added, as for any model.
   */
  startFromNow: boolean;
  /** The latest "run now" (ISO-8601): a runner starts a run when no run started after it. */
  runRequestedAt?: string;
  /**
   * The latest "reset" (ISO-8601): the next run forgets the last result (every row is added, or
   * none with start from now), e.g. after the query's columns changed.
   */
  resetRequestedAt?: string;
  /**
   * When deleting the model began (ISO-8601): a run in progress stops between pages, `canceled`,
   * and no run starts; the control plane deletes the model once no run is in progress.
   */
  deleteRequestedAt?: string;
  createdAt: string;
  /** Who created it: the caller the control plane was given (a console user's email, a CLI's actor, `api`); absent on models created before it was kept. */
  createdBy?: string;
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

/**
 * running → delivering (every change published; waiting for each delivery's outcome) →
 * succeeded; or failed (nothing more was sent); or canceled (the model was being deleted: the
 * run stopped between pages, what it published before stays published).
 */
export type RunStatus = 'running' | 'delivering' | 'succeeded' | 'failed' | 'canceled';
/** Where a run is, so that a runner taking it over knows what is left. */
export type RunPhase = 'preparing' | 'publishing' | 'promoting' | 'delivering' | 'done';

/**
 * What became of a row change at one destination instance: delivered; failed (retried until the
 * retry window ended, then dead-lettered); dead-lettered (refused outright, e.g. an HTTP 4xx, or
 * not translatable); filtered (not sent: a destination filter, a disabled instance, ...).
 */
export type RunDeliveryOutcome = 'delivered' | 'failed' | 'deadLettered' | 'filtered';
export const RUN_DELIVERY_OUTCOMES: readonly RunDeliveryOutcome[] = ['delivered', 'failed', 'deadLettered', 'filtered'];

/** Deliveries per change kind and outcome. */
export type RunDeliveries = Record<ChangeKind, Record<RunDeliveryOutcome, number>>;

/** Failed-row samples a run keeps (the first ones reported). */
export const MAX_FAILED_ROW_SAMPLES = 20;

/** A row change that was not delivered to a destination instance, and why (masked). */
export interface RunFailedRow {
  /** The row's identifier value. */
  key: string;
  changeKind: ChangeKind;
  destinationId: string;
  outcome: 'failed' | 'deadLettered';
  /** The reason it is counted under (`http_400`, `RETRIES_EXHAUSTED`, ...). */
  reason: string;
  /** What went wrong, in words, credentials masked. */
  message: string;
  /** When the translator reported it (ISO-8601). */
  at: string;
}

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
  /** How the run's events carry each row; absent on runs started before it was recorded. */
  rowText?: RowText;
  /** Why the run failed and sent nothing more: the diff's code (QUERY_FAILED, …) and the reason. */
  error?: { code: string; message: string };
  /** The latest failure while publishing (Kafka unreachable, …): the run goes on from its last page. */
  lastAttemptError?: string;
  /** When every change was published and the run began waiting for their deliveries (ISO-8601). */
  deliveringSince?: string;
  /**
   * Outcomes the run waits for: each published change once per destination instance that takes
   * its kind (through an enabled connection, when publishing ended).
   */
  expectedDeliveries?: number;
  /** Outcomes reported so far, per change kind and outcome (stored sparse: see `runDeliveries`). */
  deliveries?: Partial<Record<ChangeKind, Partial<Record<RunDeliveryOutcome, number>>>>;
  /** The first failed rows, at most MAX_FAILED_ROW_SAMPLES. */
  failedRows?: RunFailedRow[];
  /** Deliveries still without an outcome when the run stopped waiting for them (the delivery timeout). */
  missingDeliveries?: number;
}

/**
 * How a run's events carry each row, recorded on the run when it starts. 'warehouse': the JSON
 * text the warehouse wrote, as it is (runs started by this version on). Absent (runs started
 * before): that text parsed and written again with JSON.stringify, as those versions did, so that
 * a run resumed across the upgrade republishes its last pages with the messageIds and bodies it
 * first sent them with.
 */
export type RowText = 'warehouse';

export function zeroCounts(): Record<ChangeKind, number> {
  return { added: 0, updated: 0, deleted: 0 };
}

/** A run's deliveries with every kind and outcome present (0 when none was reported). */
export function runDeliveries(run: Pick<ReverseEtlRun, 'deliveries'>): RunDeliveries {
  const all = {} as RunDeliveries;
  for (const kind of CHANGE_KINDS) {
    const reported = run.deliveries?.[kind] ?? {};
    all[kind] = { delivered: 0, failed: 0, deadLettered: 0, filtered: 0 };
    for (const outcome of RUN_DELIVERY_OUTCOMES) all[kind][outcome] = reported[outcome] ?? 0;
  }
  return all;
}

/** Outcomes reported so far, all kinds together. */
export function outcomesReported(run: Pick<ReverseEtlRun, 'deliveries'>): number {
  const all = runDeliveries(run);
  return CHANGE_KINDS.reduce((sum, kind) => sum + RUN_DELIVERY_OUTCOMES.reduce((n, o) => n + all[kind][o], 0), 0);
}
