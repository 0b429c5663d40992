// Turns control-plane messages into the Public API's JSON shapes (dates as RFC 3339 strings).
import type * as proto from '@manifold/proto';
import { settingSecrets } from '@manifold/secrets';
import type { z } from 'zod';
import * as models from './models';
import { fromMessage } from './from-message';
import type { Invitation as StoredInvitation } from '../store/invitations';
import type { Role } from './access';

const iso = (date: Date | undefined): string | null => (date ? date.toISOString() : null);

export function presentStatus(change: proto.StatusChange | undefined): z.input<typeof models.StatusChange> | null {
  return change ? fromMessage(models.StatusChange, change) : null;
}

export function presentWorkspace(workspace: proto.Workspace, role: Role): z.input<typeof models.Workspace> {
  return fromMessage(models.Workspace, { ...workspace, role });
}

/** `changedFields` answers an update (`manifold apply` reads it); it is not part of the resource. */
export function presentSource(source: proto.Source): z.input<typeof models.Source> {
  return fromMessage<typeof models.Source, Omit<proto.Source, 'changedFields'>>(models.Source, source);
}

/** `changedFields` answers an update (the CLI prints it); it is not part of the resource. */
export function presentDestination(destination: proto.Destination): z.input<typeof models.Destination> {
  return fromMessage<typeof models.Destination, Omit<proto.Destination, 'changedFields'>>(
    models.Destination,
    destination,
  );
}

export function presentMappingVersion(
  version: proto.DestinationMappingVersion,
): z.input<typeof models.DestinationMappingVersion> {
  return fromMessage(models.DestinationMappingVersion, version);
}

export function presentCatalogEntry(entry: proto.CatalogEntry): z.input<typeof models.CatalogEntry> {
  return {
    id: entry.id,
    name: entry.name,
    description: entry.description,
    categories: entry.categories,
    settingsSchema: entry.settingsSchema ?? {},
    secrets: settingSecrets(entry.settingsSchema),
    supportedCallTypes: entry.supportedCallTypes,
    warehouse: entry.warehouse,
    actions: entry.actions,
    oauthScopes: entry.oauthScopes,
  };
}

export function presentDeliveryStats(stats: proto.DeliveryStats): z.input<typeof models.DeliveryStats> {
  return {
    destinationId: stats.destinationId,
    delivered: stats.delivered,
    retried: stats.retried,
    failed: stats.failed,
    filtered: stats.filtered,
    failuresByReason: stats.failuresByReason.map((f) => ({ reason: f.reason, count: f.count })),
    filteredByReason: stats.filteredByReason.map((f) => ({ reason: f.reason, count: f.count })),
    fieldsDropped: stats.fieldsDropped,
    fieldsConverted: stats.fieldsConverted,
    droppedFieldsByReason: stats.droppedFieldsByReason.map((f) => ({ reason: f.reason, count: f.count })),
    convertedFieldsByReason: stats.convertedFieldsByReason.map((f) => ({ reason: f.reason, count: f.count })),
    latencyP50Ms: stats.latencyP50Ms,
    latencyP95Ms: stats.latencyP95Ms,
    latencyP99Ms: stats.latencyP99Ms,
    updatedAt: iso(stats.updatedAt),
    testSends: stats.testSends,
    testSendsByOutcome: stats.testSendsByOutcome.map((f) => ({ reason: f.reason, count: f.count })),
  };
}

export function presentWarehouseLoad(load: proto.WarehouseLoad): z.input<typeof models.WarehouseLoad> {
  return {
    id: load.id,
    warehouseId: load.warehouseId,
    sourceId: load.sourceId,
    startedAt: iso(load.startedAt),
    finishedAt: iso(load.finishedAt),
    rows: load.rows.map((r) => ({ table: r.table, rows: r.rows })),
    errors: load.errors,
    status: load.status,
    notices: load.notices,
    durationMs: load.durationMs,
    events: load.events,
    schema: load.schema,
  };
}

export function presentWarehouseStatus(s: proto.WarehouseStatus): z.input<typeof models.WarehouseStatus> {
  return {
    warehouseId: s.warehouseId,
    name: s.name,
    kind: s.kind,
    enabled: s.enabled,
    syncIntervalSeconds: s.syncIntervalSeconds,
    sourceNames: s.sourceNames,
    lastSync: s.lastSync ? presentWarehouseLoad(s.lastSync) : null,
    nextSyncAt: iso(s.nextSyncAt),
    syncRequestedAt: iso(s.syncRequestedAt),
    syncStartedAt: iso(s.syncStartedAt),
    pendingEvents: s.pendingEvents,
    reportedAt: iso(s.reportedAt),
  };
}

function presentBucket(b: proto.DeliveryBucket | undefined): z.input<typeof models.DeliveryBucket> {
  const latency = b?.latency;
  return {
    start: iso(b?.start),
    delivered: b?.delivered ?? 0,
    retrying: b?.retrying ?? 0,
    failed: b?.failed ?? 0,
    filtered: b?.filtered ?? 0,
    dropped: b?.dropped ?? 0,
    attempts: b?.attempts ?? 0,
    fieldsDropped: b?.fieldsDropped ?? 0,
    fieldsConverted: b?.fieldsConverted ?? 0,
    testSends: b?.testSends ?? 0,
    latency: {
      p50Ms: latency?.p50Ms ?? 0,
      p95Ms: latency?.p95Ms ?? 0,
      p99Ms: latency?.p99Ms ?? 0,
      count: latency?.count ?? 0,
    },
  };
}

/** A request sent to a destination (masked by the translator already), as every view shows it. */
export function presentRequestSample(
  r: proto.HttpRequestSample | undefined,
): z.input<typeof models.RequestSample> | null {
  return r ? { method: r.method, url: r.url, headers: r.headers, body: r.body } : null;
}

/** The answer to it, or why there was none. */
export function presentResponseSample(
  r: proto.HttpResponseSample | undefined,
): z.input<typeof models.ResponseSample> | null {
  return r ? { status: r.status, headers: r.headers, bodyExcerpt: r.bodyExcerpt, error: r.error } : null;
}

export function presentErrorSample(s: proto.DeliveryErrorSample): z.input<typeof models.DeliveryErrorSample> {
  return {
    id: s.id,
    at: iso(s.at),
    outcome: s.outcome,
    reason: s.reason,
    message: s.message,
    messageId: s.messageId,
    eventType: s.eventType,
    eventName: s.eventName,
    attempt: s.attempt,
    request: presentRequestSample(s.request),
    response: presentResponseSample(s.response),
  };
}

export function presentDeliveryView(v: proto.DeliveryView): z.input<typeof models.DeliveryView> {
  return {
    destinationId: v.destinationId,
    range: v.range as 'hour' | 'day' | 'week',
    bucket: v.bucket as 'minute' | 'hour' | 'day',
    from: iso(v.from),
    to: iso(v.to),
    buckets: v.buckets.map(presentBucket),
    totals: presentBucket(v.totals),
    reasons: v.reasons.map((r) => ({ ...r, lastSeen: iso(r.lastSeen) })),
    latestErrors: v.latestErrors.map(presentErrorSample),
    updatedAt: iso(v.updatedAt),
  };
}

export function presentIntegrationRequest(
  request: proto.IntegrationRequest,
): z.input<typeof models.IntegrationRequest> {
  return {
    id: request.id,
    workspaceId: request.workspaceId,
    name: request.name,
    website: request.website,
    useCase: request.useCase,
    requestedBy: request.requestedBy,
    createdAt: iso(request.createdAt),
  };
}

export function presentInvitation(
  invitation: StoredInvitation,
  now: Date = new Date(),
): z.input<typeof models.Invitation> {
  return {
    id: invitation.id,
    email: invitation.email,
    role: invitation.role as Role,
    invitedBy: invitation.invitedBy,
    createdAt: invitation.createdAt.toISOString(),
    expiresAt: invitation.expiresAt.toISOString(),
    expired: invitation.expiresAt.getTime() <= now.getTime(),
  };
}
