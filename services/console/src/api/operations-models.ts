// The Public API's shapes for dead letters and redrives, replays and per-event traces.
import { z } from 'zod';
import { model, optionalTimestamp, RequestSample, ResponseSample } from './models';

export const RunOutcomes = model(
  'RunOutcomes',
  z.object({
    delivered: z.number().int(),
    retrying: z.number().int().describe('Failed once and waiting in a retry topic'),
    failed: z.number().int().describe('Dead-lettered again'),
    filtered: z.number().int().describe('Not sent: a duplicate messageId, the integrations object, filters, disabled'),
    reasons: z.array(z.object({ outcome: z.string(), reason: z.string(), count: z.number().int() })),
  }),
  "What a redrive's or replay's deliveries came to, as the translators reported them",
);

export const DeadLetter = model(
  'DeadLetter',
  z.object({
    id: z.string().describe('<dead-letter topic>/<partition>/<offset>'),
    destinationId: z.string(),
    destinationType: z.string(),
    sourceId: z.string(),
    reason: z.string().describe('REJECTED, RETRIES_EXHAUSTED, INVALID_SETTINGS or TRANSLATION_ERROR'),
    message: z.string(),
    messageId: z.string(),
    eventType: z.string(),
    eventName: z.string(),
    attempts: z.number().int(),
    firstAttemptAt: optionalTimestamp,
    failedAt: optionalTimestamp,
    lastRequest: RequestSample.nullable(),
    lastResponse: ResponseSample.nullable(),
    event: z.record(z.string(), z.unknown()).describe('The event as the destination would have received it'),
    redriveId: z.string().describe('The redrive that sent it again; empty while none has'),
    redrivenAt: optionalTimestamp,
  }),
);

export const DeadLetterPage = model(
  'DeadLetterPage',
  z.object({
    deadLetters: z.array(DeadLetter),
    nextPageToken: z.string(),
    totalCount: z.number().int(),
    waitingByReason: z.array(z.object({ reason: z.string(), count: z.number().int() })),
  }),
);

export const Redrive = model(
  'Redrive',
  z.object({
    id: z.string(),
    destinationId: z.string(),
    destinationName: z.string(),
    status: z.enum(['running', 'stopping', 'stopped', 'done', 'failed']),
    requestedBy: z.string(),
    requestedAt: optionalTimestamp,
    finishedAt: optionalTimestamp,
    stoppedBy: z.string(),
    ids: z.array(z.string()),
    all: z.boolean(),
    reason: z.string(),
    failedFrom: optionalTimestamp,
    failedTo: optionalTimestamp,
    ratePerSecond: z.number().int(),
    matched: z.number().int().describe('Dead letters it took'),
    sent: z.number().int(),
    skipped: z.number().int().describe('Asked for but redriven already by another redrive'),
    outcomes: RunOutcomes,
    error: z.string(),
  }),
  'Dead letters of one destination sent again through the normal delivery path, each at most once',
);

/** What every replay (of the events topic, of the quarantine topic) says of its range and its run. */
const runFields = {
  from: optionalTimestamp,
  to: optionalTimestamp,
  ratePerSecond: z.number().int(),
  status: z.enum(['running', 'stopping', 'stopped', 'done', 'failed']),
  requestedBy: z.string(),
  requestedAt: optionalTimestamp,
  finishedAt: optionalTimestamp,
  cancelledBy: z.string(),
};

export const Replay = model(
  'Replay',
  z.object({
    id: z.string(),
    sourceId: z.string(),
    sourceName: z.string(),
    destinationId: z.string(),
    destinationName: z.string(),
    warehouse: z.boolean(),
    ...runFields,
    total: z.number().int().describe('Messages of the events topic in the range (every source)'),
    scanned: z.number().int(),
    progress: z.number().describe('0 to 1'),
    sent: z.number().int(),
    sentByType: z.array(z.object({ eventType: z.string(), count: z.number().int() })),
    firstMessageId: z.string(),
    lastMessageId: z.string(),
    firstReceivedAt: optionalTimestamp,
    lastReceivedAt: optionalTimestamp,
    outcomes: RunOutcomes,
    retainedFrom: optionalTimestamp.describe('Set when Kafka no longer held the start of the range'),
    error: z.string(),
  }),
  "A time range of one source's events sent again to one destination or warehouse",
);

export const QuarantineReplay = model(
  'QuarantineReplay',
  z.object({
    id: z.string(),
    workspaceId: z.string(),
    sourceId: z.string(),
    sourceName: z.string(),
    eventName: z.string().describe('Only track events of this name; empty: every event'),
    ...runFields,
    planId: z.string().describe("The source's tracking plan when the replay was asked for; empty: none (all pass)"),
    planVersion: z.number().int(),
    total: z.number().int().describe('Messages of the quarantine topic in the range (every source)'),
    scanned: z.number().int(),
    progress: z.number().describe('0 to 1'),
    matched: z.number().int().describe("The source's quarantined events in the range (of the event name)"),
    released: z.number().int().describe('Passed the plan and published to the events topic'),
    stillBlocked: z.number().int().describe('Still blocked: left in quarantine'),
    error: z.string(),
  }),
  "A source's quarantined events checked again against its tracking plan; those that pass go on with their own messageIds",
);

const TraceStep = z.object({
  at: optionalTimestamp,
  outcome: z.enum(['delivered', 'retrying', 'failed', 'filtered']),
  reason: z.string(),
  message: z.string(),
  attempt: z.number().int().describe('0 when nothing was sent'),
  runId: z.string().describe('The redrive or replay that sent it again'),
  request: RequestSample.nullable(),
  response: ResponseSample.nullable(),
  sentAt: optionalTimestamp,
  durationMs: z.number().int(),
  mappingId: z
    .string()
    .describe("The destination's mapping whose request this is; empty for presets and steps that sent nothing"),
  mappingName: z.string(),
});

export const EventTrace = model(
  'EventTrace',
  z.object({
    messageId: z.string(),
    found: z.boolean(),
    sourceId: z.string(),
    sourceName: z.string(),
    receivedAt: optionalTimestamp,
    eventType: z.string(),
    eventName: z.string(),
    topic: z.string(),
    partition: z.number().int(),
    offset: z.number().int(),
    destinations: z.array(
      z.object({
        destinationId: z.string(),
        name: z.string(),
        type: z.string(),
        outcome: z.string(),
        steps: z.array(TraceStep),
      }),
    ),
    warehouses: z.array(
      z.object({
        warehouseId: z.string(),
        name: z.string(),
        status: z.enum(['loaded', 'failed', 'waiting']),
        loadId: z.string(),
        loadStatus: z.string(),
        loadStartedAt: optionalTimestamp,
        loadFinishedAt: optionalTimestamp,
        schema: z.string(),
        errors: z.array(z.string()),
      }),
    ),
    retentionMs: z.number().int(),
  }),
  "Everything done with one event: each destination's attempts (masked) and decisions, and its warehouse load",
);
