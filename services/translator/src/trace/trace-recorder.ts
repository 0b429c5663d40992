import type { EventMetadata, SpecEvent, TraceEntry, TraceOutcome } from '@manifold/events';
import type { Exchange } from '../pipeline/task';

/** The event an entry is about, and where it came from. */
export interface TraceSubject {
  event: SpecEvent;
  metadata: EventMetadata;
  /** The messageId claim's origin: the events-topic message, or a redelivery's. */
  origin: string;
  runId?: string | undefined;
}

/** One entry waiting to be written: its exchange is still the translator's own (unmasked). */
export interface PendingTraceEntry {
  entry: TraceEntry;
  exchange?: Exchange;
}

/** Where the outcomes of a batch tell the trace what happened to each event. */
export interface TraceRecorder {
  record(pending: PendingTraceEntry): void;
}

/** Why an outcome came about, and which attempt it was (0: nothing was sent). */
export interface TraceDetails {
  reason?: string | undefined;
  message?: string | undefined;
  attempt: number;
}

/** The trace entry of one event at one instance, decided at `at`. */
export function traceEntry(
  subject: TraceSubject,
  instance: { id: string },
  destinationType: string,
  outcome: TraceOutcome,
  details: TraceDetails,
  at: number,
): TraceEntry {
  const { event, metadata } = subject;
  return {
    messageId: event.messageId,
    workspaceId: metadata.workspaceId,
    sourceId: metadata.sourceId,
    destinationId: instance.id,
    destinationType,
    origin: subject.origin,
    receivedAt: event.receivedAt,
    eventType: event.type,
    ...(event.type === 'track' && typeof event.event === 'string' ? { eventName: event.event } : {}),
    outcome,
    ...(details.reason !== undefined ? { reason: details.reason } : {}),
    ...(details.message !== undefined ? { message: details.message } : {}),
    attempt: details.attempt,
    at: new Date(at).toISOString(),
    ...(subject.runId !== undefined ? { runId: subject.runId } : {}),
  };
}
