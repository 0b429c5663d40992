// The Public API's resource shapes. Routes return these and the OpenAPI document is generated from them.
import { z } from 'zod';

export const modelRegistry = z.registry<{ id: string; description?: string }>();

export const timestamp = z.iso.datetime().describe('RFC 3339 time');
export const optionalTimestamp = timestamp.nullable();

export function model<T extends z.ZodType>(id: string, schema: T, description?: string): T {
  modelRegistry.add(schema, description ? { id, description } : { id });
  return schema;
}

export const ErrorBody = model(
  'Error',
  z.object({
    error: z.object({
      code: z.enum([
        'invalid_argument',
        'unauthenticated',
        'forbidden',
        'not_found',
        'already_exists',
        'expired',
        'csrf',
        'rate_limited',
        'unavailable',
        'internal',
      ]),
      message: z.string(),
      fields: z
        .array(z.object({ field: z.string(), message: z.string() }))
        .optional()
        .describe('Problems with single fields, e.g. settings.apiKey'),
    }),
  }),
);

export const PageInfo = model(
  'PageInfo',
  z.object({ nextPageToken: z.string().describe('Empty on the last page'), totalCount: z.number().int() }),
);

export const StatusChange = model(
  'StatusChange',
  z.object({ status: z.string(), changedBy: z.string(), changedAt: optionalTimestamp, reason: z.string() }),
);

export const Member = model(
  'WorkspaceMember',
  z.object({ email: z.email(), role: z.enum(['owner', 'member', 'read-only']) }),
);

export const Workspace = model(
  'Workspace',
  z.object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    ownerEmail: z.string(),
    members: z.array(Member),
    createdAt: optionalTimestamp,
    createdBy: z.string(),
    autoDisableExceptions: z.array(z.string()),
    role: z.enum(['owner', 'member', 'read-only']).describe("The caller's role in the workspace"),
  }),
);

export const WriteKey = model(
  'WriteKey',
  z.object({
    key: z.string(),
    createdAt: optionalTimestamp,
    expiresAt: optionalTimestamp.describe('Set on a rotated-out key: it keeps working until then'),
  }),
);

export const WebhookSettings = model(
  'WebhookSettings',
  z.object({
    kind: z.enum(['stripe', 'github', 'shopify', 'generic']).describe('The app whose deliveries the source reads'),
    signingSecret: z
      .string()
      .optional()
      .describe('Reads show it masked; sent back masked, the saved one is kept; an empty string removes it'),
    mapping: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Generic sources: mapping-kit directives from a delivery to a Spec call'),
    previousSigningSecret: z
      .string()
      .optional()
      .describe(
        'The secret a rotation replaced, still accepted until previousSigningSecretExpiresAt; reads show it masked; an empty string removes it',
      ),
    previousSigningSecretExpiresAt: optionalTimestamp
      .optional()
      .describe('Read only: when the previous secret stops being accepted'),
    previousSecretGraceSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600)
      .optional()
      .describe(
        'With a new signingSecret: rotate, keeping the saved secret accepted for this many seconds (0: 24 hours); without it the new secret replaces the old at once',
      ),
    duplicateWindowSeconds: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe(
        "How long a delivery's id is remembered so that the app's retries reach each destination once: 3600 to 2592000, or 0 for the app's default (stripe and github 96 h, shopify 72 h, generic 24 h); reads show the window in force",
      ),
    path: z
      .string()
      .optional()
      .describe(
        'Read only: the stable URL path on ingestion, /v1/webhook/<source id>; rotating the write key does not change it',
      ),
  }),
);

/** What a create or an update may send: the read-only fields left out. */
export const WebhookSettingsInput = WebhookSettings.omit({ path: true, previousSigningSecretExpiresAt: true });

export const Source = model(
  'Source',
  z.object({
    id: z.string(),
    workspaceId: z.string(),
    slug: z.string(),
    name: z.string(),
    enabled: z.boolean(),
    status: StatusChange.nullable(),
    statusHistory: z.array(StatusChange),
    environment: z.string(),
    type: z.string(),
    category: z.string(),
    createdAt: optionalTimestamp,
    createdBy: z.string(),
    destinationIds: z.array(z.string()),
    destinationNames: z.array(z.string()),
    writeKeys: z.array(WriteKey).describe('The current key first'),
    autoDisableExempt: z.boolean(),
    withoutDestinationSince: optionalTimestamp,
    autoDisableWarnedAt: optionalTimestamp,
    autoDisableDueAt: optionalTimestamp.describe(
      'When the source is disabled for having no enabled destination, at the earliest (null while it has one, is disabled or is an exception)',
    ),
    webhook: WebhookSettings.optional().describe(
      'Sources of type webhook: deliveries go to /v1/webhook/<source id> on ingestion (/v1/webhook/<write key> also works)',
    ),
  }),
);

export const DestinationFilter = model(
  'DestinationFilter',
  z.object({
    id: z.string(),
    sourceId: z.string(),
    title: z.string(),
    if: z.string(),
    actions: z.array(z.unknown()),
    enabled: z.boolean(),
  }),
);

export const DestinationMapping = model(
  'DestinationMapping',
  z.object({
    id: z.string().describe('Unique within the destination; empty on a new mapping (the server sets one)'),
    name: z.string(),
    enabled: z.boolean(),
    trigger: z.string().describe('FQL condition on the event, e.g. type = "track" and event = "Signed Up"'),
    action: z.string().describe("An action of the destination's catalog entry"),
    fields: z
      .record(z.string(), z.unknown())
      .describe('Field of the action → mapping-kit value (@path, @template, @if, @case, @replace, ...)'),
  }),
  'Which events (trigger) run which action, with which field mapping',
);

export const DestinationMappingVersion = model(
  'DestinationMappingVersion',
  z.object({
    version: z.number().int(),
    mappings: z.array(DestinationMapping),
    changedBy: z.string(),
    changedAt: optionalTimestamp,
    comment: z.string(),
    diff: z.array(z.string()).describe('What changed from the version before, one line each'),
  }),
);

export const OAuthConnection = model(
  'OAuthConnection',
  z.object({
    state: z
      .enum(['not_connected', 'connected', 'reconnect_needed'])
      .describe('reconnect_needed: the provider refused the refresh token; events wait for a new connection'),
    connectedAt: optionalTimestamp,
    connectedBy: z.string(),
    problem: z.string().describe('Why a reconnection is needed'),
    problemAt: optionalTimestamp,
  }),
);

export const Destination = model(
  'Destination',
  z.object({
    id: z.string(),
    workspaceId: z.string(),
    name: z.string(),
    catalogId: z.string(),
    settings: z.record(z.string(), z.unknown()).describe('Secret settings are masked'),
    enabled: z.boolean(),
    status: StatusChange.nullable(),
    sourceIds: z.array(z.string()),
    sourceNames: z.array(z.string()),
    createdAt: optionalTimestamp,
    createdBy: z.string(),
    type: z.string(),
    categories: z.array(z.string()),
    warehouse: z.boolean(),
    syncIntervalSeconds: z.number().int(),
    filters: z.array(DestinationFilter),
    mappings: z.array(DestinationMapping).describe('In order; every enabled mapping whose trigger matches runs'),
    mappingsVersion: z.number().int(),
    oauth: OAuthConnection.optional().describe('Present when the destination connects with OAuth; never holds a token'),
  }),
);

export const CatalogActionField = model(
  'CatalogActionField',
  z.object({
    name: z.string(),
    label: z.string(),
    type: z.string().describe('string, number, integer, boolean, object, array, or any'),
    description: z.string(),
    required: z.boolean().describe('The payload needs a value and the action has none when it is left unmapped'),
    defaultMapping: z.unknown().optional().describe('What the presets map it from'),
  }),
);

export const CatalogAction = model(
  'CatalogAction',
  z.object({
    id: z.string().describe("What a mapping's action names"),
    title: z.string(),
    description: z.string(),
    fields: z.array(CatalogActionField),
  }),
  'An operation of the destination that a mapping runs, with its fields',
);

export const CatalogEntry = model(
  'CatalogEntry',
  z.object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    categories: z.array(z.string()),
    settingsSchema: z.record(z.string(), z.unknown()).describe('JSON Schema (draft 2020-12) of the settings'),
    secrets: z
      .record(z.string(), z.enum(['whole', 'values', 'url']))
      .describe(
        'The settings that hold credentials, and how: whole (the value; read back masked), values (each value ' +
          'of the object, e.g. custom headers), url (its userinfo, query values and path tokens). Send a masked ' +
          'value back unchanged to keep the saved one.',
      ),
    supportedCallTypes: z.array(z.string()),
    warehouse: z.boolean(),
    actions: z.array(CatalogAction).describe('What mappings can run (none for warehouses)'),
    oauthScopes: z
      .array(z.string())
      .describe('Scopes of the OAuth connection; empty when the destination cannot connect with OAuth'),
  }),
);

const Count = z.object({ reason: z.string(), count: z.number().int() });

export const DeliveryStats = model(
  'DeliveryStats',
  z.object({
    destinationId: z.string(),
    delivered: z.number().int(),
    retried: z.number().int(),
    failed: z.number().int(),
    filtered: z.number().int(),
    failuresByReason: z.array(Count),
    filteredByReason: z.array(Count),
    fieldsDropped: z
      .number()
      .int()
      .describe('Fields of delivered events left out because the destination cannot take them (one per event)'),
    fieldsConverted: z
      .number()
      .int()
      .describe('Values of delivered events sent after a lossless conversion, e.g. "24" as 24 (one per event)'),
    droppedFieldsByReason: z.array(Count).describe('Per "field: why", e.g. "params.cart: nested object"'),
    convertedFieldsByReason: z.array(Count).describe('Per "field: conversion", e.g. "revenue: string to number"'),
    latencyP50Ms: z.number(),
    latencyP95Ms: z.number(),
    latencyP99Ms: z.number(),
    updatedAt: optionalTimestamp,
    testSends: z
      .number()
      .int()
      .describe("Requests the mapping tester sent (a test's send): never counted as delivered or failed above"),
    testSendsByOutcome: z
      .array(Count)
      .describe('The tester’s requests per outcome: delivered, retry, drop, dead-letter'),
  }),
);

const Latency = z
  .object({ p50Ms: z.number(), p95Ms: z.number(), p99Ms: z.number(), count: z.number().int() })
  .describe(
    'From ingestion (receivedAt) to the destination answering, over delivered events: percentiles (nearest rank) of a log-scale histogram with buckets about 9 % wide, so within 4.5 % of the recorded values',
  );

export const DeliveryBucket = model(
  'DeliveryBucket',
  z.object({
    start: optionalTimestamp,
    delivered: z.number().int(),
    retrying: z.number().int().describe('Events whose first attempt failed and that went on to be retried'),
    failed: z.number().int().describe('Events dead-lettered: they will not be delivered'),
    filtered: z
      .number()
      .int()
      .describe('Not sent by choice: integrations object, destination filters, disabled, duplicate'),
    dropped: z
      .number()
      .int()
      .describe('Not sent because the destination cannot take them (unsupported call, invalid or empty)'),
    attempts: z.number().int().describe('Requests made, counted apart from events'),
    fieldsDropped: z.number().int(),
    fieldsConverted: z.number().int(),
    latency: Latency,
    testSends: z.number().int().describe('Requests the mapping tester sent: apart, never in the counts above'),
  }),
  'Events counted once per outcome in one minute, hour or day, whatever their attempts',
);

export const RequestSample = model(
  'HttpRequestSample',
  z.object({
    method: z.string(),
    url: z.string(),
    headers: z.record(z.string(), z.string()),
    body: z.string(),
  }),
  'A request sent to a destination: every credential of its instance masked (URL, headers, body)',
);

export const ResponseSample = model(
  'HttpResponseSample',
  z.object({
    status: z.number().int().describe('0 when there was no answer'),
    headers: z.record(z.string(), z.string()),
    bodyExcerpt: z.string(),
    error: z.string().describe('Why there was no answer (connection refused, timeout)'),
  }),
);

export const DeliveryErrorSample = model(
  'DeliveryErrorSample',
  z.object({
    id: z.string(),
    at: optionalTimestamp,
    outcome: z.enum(['retried', 'failed']).or(z.string()),
    reason: z.string(),
    message: z.string(),
    messageId: z.string(),
    eventType: z.string(),
    eventName: z.string(),
    attempt: z.number().int(),
    request: RequestSample.nullable(),
    response: ResponseSample.nullable(),
  }),
  'A failed or retried delivery attempt; every secret setting of the destination is masked (URL, headers, bodies)',
);

export const DeliveryView = model(
  'DeliveryView',
  z.object({
    destinationId: z.string(),
    range: z.enum(['hour', 'day', 'week']),
    bucket: z.enum(['minute', 'hour', 'day']),
    from: optionalTimestamp,
    to: optionalTimestamp,
    buckets: z.array(DeliveryBucket).describe('Oldest first, every minute, hour or day of the range'),
    totals: DeliveryBucket,
    reasons: z.array(
      z.object({
        outcome: z
          .string()
          .describe(
            'retrying (events that started retrying for the reason, and the attempts that failed with it), failed, filtered, dropped, field_dropped, field_converted',
          ),
        reason: z.string(),
        events: z.number().int(),
        attempts: z.number().int(),
        lastSeen: optionalTimestamp,
      }),
    ),
    latestErrors: z.array(DeliveryErrorSample).describe('The newest sample of each reason in the range'),
    updatedAt: optionalTimestamp,
  }),
);

export const WarehouseLoad = model(
  'WarehouseLoad',
  z.object({
    id: z.string(),
    warehouseId: z.string(),
    sourceId: z.string(),
    startedAt: optionalTimestamp,
    finishedAt: optionalTimestamp,
    rows: z.array(z.object({ table: z.string(), rows: z.number().int() })),
    errors: z.array(z.string()).describe('Why it failed, and events set aside, in words'),
    status: z.string(),
    notices: z.array(z.string()).describe('What changed what was stored without failing the load, in words'),
    durationMs: z.number().int(),
    events: z.number().int(),
    schema: z.string(),
  }),
);

export const WarehouseStatus = model(
  'WarehouseStatus',
  z.object({
    warehouseId: z.string(),
    name: z.string(),
    kind: z.string(),
    enabled: z.boolean(),
    syncIntervalSeconds: z.number().int(),
    sourceNames: z.array(z.string()),
    lastSync: WarehouseLoad.nullable(),
    nextSyncAt: optionalTimestamp.describe('As the loader last said; null until a loader ran'),
    syncRequestedAt: optionalTimestamp.describe('The latest "sync now"'),
    syncStartedAt: optionalTimestamp.describe('The latest "sync now" a loader acted on'),
    pendingEvents: z.number().int(),
    reportedAt: optionalTimestamp,
  }),
);

export const IntegrationRequest = model(
  'IntegrationRequest',
  z.object({
    id: z.string(),
    workspaceId: z.string(),
    name: z.string(),
    website: z.string(),
    useCase: z.string(),
    requestedBy: z.string(),
    createdAt: optionalTimestamp,
  }),
);

export const ApiToken = model(
  'ApiToken',
  z.object({
    id: z.string(),
    name: z.string(),
    hint: z.string().describe('The first characters of the token'),
    createdAt: timestamp,
    lastUsedAt: optionalTimestamp,
  }),
);

const role = z.enum(['owner', 'member', 'read-only']);

export const Invitation = model(
  'Invitation',
  z.object({
    id: z.string(),
    email: z.email(),
    role,
    invitedBy: z.string(),
    createdAt: timestamp,
    expiresAt: timestamp.describe('The link stops working then'),
    expired: z.boolean(),
  }),
  'An invitation not used yet; its link is never shown again after it is made',
);

export const CreatedInvitation = model(
  'CreatedInvitation',
  Invitation.extend({
    mailed: z.boolean().describe('True when the link was mailed to the invitee (the console has SMTP)'),
    link: z
      .string()
      .nullable()
      .describe('Without SMTP: the link to hand to the invitee yourself, shown only in this response; else null'),
  }),
);

export const Empty = model('Empty', z.object({}));
