// Dead letters, redrives and traces as the Public API shows them (dates as RFC 3339;
// requests and answers as the delivery view's error samples show them).
import type * as proto from '@manifold/proto';
import type { z } from 'zod';
import type * as models from './operations-models';
import { presentRequestSample as request, presentResponseSample as response } from './present';

const iso = (date: Date | undefined): string | null => (date ? date.toISOString() : null);

type Json<T extends z.ZodType> = z.input<T>;

function outcomes(o: proto.RunOutcomes | undefined): Json<typeof models.RunOutcomes> {
  return {
    delivered: o?.delivered ?? 0,
    retrying: o?.retrying ?? 0,
    failed: o?.failed ?? 0,
    filtered: o?.filtered ?? 0,
    reasons: (o?.reasons ?? []).map((r) => ({ outcome: r.outcome, reason: r.reason, count: r.count })),
  };
}

export function presentDeadLetter(d: proto.DeadLetter): Json<typeof models.DeadLetter> {
  let event: Record<string, unknown> = {};
  try {
    event = JSON.parse(d.eventJson || '{}') as Record<string, unknown>;
  } catch {
    // shown empty
  }
  return {
    id: d.id,
    destinationId: d.destinationId,
    destinationType: d.destinationType,
    sourceId: d.sourceId,
    reason: d.reason,
    message: d.message,
    messageId: d.messageId,
    eventType: d.eventType,
    eventName: d.eventName,
    attempts: d.attempts,
    firstAttemptAt: iso(d.firstAttemptAt),
    failedAt: iso(d.failedAt),
    lastRequest: request(d.lastRequest),
    lastResponse: response(d.lastResponse),
    event,
    redriveId: d.redriveId,
    redrivenAt: iso(d.redrivenAt),
  };
}

export function presentRedrive(r: proto.Redrive): Json<typeof models.Redrive> {
  return {
    id: r.id,
    destinationId: r.destinationId,
    destinationName: r.destinationName,
    status: r.status as Json<typeof models.Redrive>['status'],
    requestedBy: r.requestedBy,
    requestedAt: iso(r.requestedAt),
    finishedAt: iso(r.finishedAt),
    stoppedBy: r.stoppedBy,
    ids: r.ids,
    all: r.all,
    reason: r.reason,
    failedFrom: iso(r.failedFrom),
    failedTo: iso(r.failedTo),
    ratePerSecond: r.ratePerSecond,
    matched: r.matched,
    sent: r.sent,
    skipped: r.skipped,
    outcomes: outcomes(r.outcomes),
    error: r.error,
  };
}

export function presentEventTrace(t: proto.EventTrace): Json<typeof models.EventTrace> {
  return {
    messageId: t.messageId,
    found: t.found,
    sourceId: t.sourceId,
    sourceName: t.sourceName,
    receivedAt: iso(t.receivedAt),
    eventType: t.eventType,
    eventName: t.eventName,
    topic: t.topic,
    partition: t.partition,
    offset: t.offset,
    destinations: t.destinations.map((d) => ({
      destinationId: d.destinationId,
      name: d.name,
      type: d.type,
      outcome: d.outcome,
      steps: d.steps.map((s) => ({
        at: iso(s.at),
        outcome: s.outcome as 'delivered' | 'retrying' | 'failed' | 'filtered',
        reason: s.reason,
        message: s.message,
        attempt: s.attempt,
        runId: s.runId,
        request: request(s.request),
        response: response(s.response),
        sentAt: iso(s.sentAt),
        durationMs: s.durationMs,
        mappingId: s.mappingId,
        mappingName: s.mappingName,
      })),
    })),
    warehouses: t.warehouses.map((w) => ({
      warehouseId: w.warehouseId,
      name: w.name,
      status: w.status as 'loaded' | 'failed' | 'waiting',
      loadId: w.loadId,
      loadStatus: w.loadStatus,
      loadStartedAt: iso(w.loadStartedAt),
      loadFinishedAt: iso(w.loadFinishedAt),
      schema: w.schema,
      errors: w.errors,
    })),
    retentionMs: t.retentionMs,
  };
}
