// The Public API's shapes for Reverse ETL: models (warehouse queries as sources), their
// connections to destination instances, their runs and a query's preview.
import { z } from 'zod';
import { model, optionalTimestamp, timestamp } from './models';

export const ModelSchedule = model(
  'ModelSchedule',
  z.object({
    intervalSeconds: z.number().int().min(0).default(0).describe('Every so many seconds (at least 60); 0: not'),
    cron: z.string().max(200).default('').describe('A five-field cron expression in UTC; empty: not'),
  }),
  'When a model runs by itself: an interval or a cron expression; neither means manual ("run now" only)',
);

export const ReverseEtlModel = model(
  'ReverseEtlModel',
  z.object({
    id: z.string(),
    workspaceId: z.string(),
    name: z.string(),
    warehouseId: z.string().describe('The warehouse (destination id) the query runs in'),
    sql: z.string(),
    identifierColumn: z.string().describe("The column that identifies a row from one run's result to the next"),
    schedule: ModelSchedule,
    enabled: z.boolean(),
    startFromNow: z.boolean().describe('The first run takes the result as it is and sends nothing'),
    runRequestedAt: optionalTimestamp.describe('The latest "run now"'),
    resetRequestedAt: optionalTimestamp.describe('The latest "reset"'),
    createdAt: optionalTimestamp,
    createdBy: z
      .string()
      .describe('Who created it (the console user, or the API caller); empty for models created before it was kept'),
    updatedAt: optionalTimestamp,
  }),
  'A warehouse query whose changes from run to run (added, updated, deleted rows) become events',
);

export const ChangeKind = z.enum(['added', 'updated', 'deleted']);

export const SuggestedConnectionFields = model(
  'SuggestedConnectionFields',
  z.object({
    fields: z
      .record(z.string(), z.unknown())
      .describe("The action's fields named as a column of the model, each mapped from it ($.properties.<column>)"),
    columns: z
      .array(z.string())
      .describe(
        "The columns compared: those given, or else from a one-row preview of the model's query (empty when it has no rows or failed)",
      ),
  }),
  'What a new connection with no field mapped starts with, to show before it is saved',
);

export const ReverseEtlConnection = model(
  'ReverseEtlConnection',
  z.object({
    id: z.string(),
    workspaceId: z.string(),
    modelId: z.string(),
    destinationId: z.string(),
    changeKinds: z.array(z.string()).describe('Which row changes it sends: added, updated, deleted'),
    action: z.string().describe("An action of the destination's catalog entry"),
    fields: z
      .record(z.string(), z.unknown())
      .describe('Field of the action → mapping-kit value; the row is under $.properties, the change under $.event'),
    enabled: z.boolean(),
    rowsPerSecond: z.number().int().describe('Most row changes per second sent to this instance'),
    mappingId: z.string().describe('The mapping of the destination the connection is (retl-<id>)'),
  }),
  'A model connected to a destination instance: its row changes run one action with a field mapping',
);

const ChangeCounts = model(
  'ChangeCounts',
  z.object({ added: z.number().int(), updated: z.number().int(), deleted: z.number().int() }),
);

export const RunDeliveries = model(
  'RunDeliveries',
  z.object({
    delivered: ChangeCounts,
    failed: ChangeCounts.describe('Retried until the retry window ended, then dead-lettered'),
    deadLettered: ChangeCounts.describe('Refused outright (e.g. an HTTP 4xx) or not translatable'),
    filtered: ChangeCounts.describe('Not sent: a destination filter, a disabled instance, an invalid payload'),
  }),
).describe("What became of the run's row changes at their destination instances, per change kind");

export const FailedRow = model(
  'FailedRow',
  z.object({
    key: z.string().describe("The row's identifier value"),
    changeKind: z.string().describe('added, updated or deleted'),
    destinationId: z.string(),
    destinationName: z.string().describe("The destination instance's name (empty when it was deleted since)"),
    outcome: z.string().describe('failed or dead_lettered'),
    reason: z.string().describe('http_400, RETRIES_EXHAUSTED, ...'),
    message: z.string().describe('In words, credentials masked'),
    at: timestamp,
  }),
);

export const ReverseEtlRun = model(
  'ReverseEtlRun',
  z.object({
    id: z.string(),
    modelId: z.string(),
    trigger: z.string().describe('schedule or manual'),
    status: z
      .string()
      .describe(
        'running, delivering (every change published, waiting for their outcomes), succeeded, failed, or canceled (its model was deleted while it ran)',
      ),
    phase: z.string().describe('preparing, publishing, promoting, delivering or done'),
    startedAt: timestamp,
    finishedAt: optionalTimestamp,
    durationMs: z.number().int(),
    counts: ChangeCounts.describe('What the diff found'),
    published: ChangeCounts.describe('What was published for delivery'),
    skipped: ChangeCounts.describe('What no connection takes'),
    errorCode: z.string().describe('Why the run failed, sending nothing more; empty when it did not'),
    errorMessage: z.string(),
    lastAttemptError: z.string().describe('The latest failure of a run that goes on from its last page'),
    deliveringSince: optionalTimestamp.describe(
      "When every change was published and the run began waiting for its deliveries' outcomes",
    ),
    expectedDeliveries: z
      .number()
      .int()
      .describe('Outcomes the run waits for: each published change once per destination instance taking its kind'),
    deliveries: RunDeliveries,
    failedRows: z.array(FailedRow).describe('The first failed rows (at most 20)'),
    missingDeliveries: z
      .number()
      .int()
      .describe('Deliveries still without an outcome when the run stopped waiting (the delivery timeout)'),
  }),
);

export const ModelPreview = model(
  'ModelPreview',
  z.object({
    rows: z.array(z.record(z.string(), z.unknown())).describe('The first rows of the result (at most 50)'),
    rowCount: z.number().int().describe('Every row of the result'),
  }),
);

export const DeletedModel = model(
  'DeletedModel',
  z.object({
    canceledRunId: z
      .string()
      .describe('The run that was in progress, stopped between pages and marked canceled; empty when none was'),
  }),
);
