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

/** One entry to be written, and the exchange of its attempt (the translator's own, unmasked). */
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

/**
 * The trace entry of one event at one instance, decided at `at`. Built for every event and
 * instance: plain assignments, no spreads, no date strings.
 */
export function traceEntry(
  subject: TraceSubject,
  instance: { id: string },
  destinationType: string,
  outcome: TraceOutcome,
  details: TraceDetails,
  at: number,
): TraceEntry {
  const { event, metadata } = subject;
  const entry: TraceEntry = {
    messageId: event.messageId,
    workspaceId: metadata.workspaceId,
    sourceId: metadata.sourceId,
    destinationId: instance.id,
    destinationType,
    origin: subject.origin,
    receivedAt: event.receivedAt,
    eventType: event.type,
    outcome,
    attempt: details.attempt,
    at,
  };
  if (event.type === 'track' && typeof event.event === 'string') entry.eventName = event.event;
  if (details.reason !== undefined) entry.reason = details.reason;
  if (details.message !== undefined) entry.message = details.message;
  if (subject.runId !== undefined) entry.runId = subject.runId;
  return entry;
}
