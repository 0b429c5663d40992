import type { ConsumedMessage, OutgoingMessage } from '@manifold/kafka';
import {
  decodeMappingIds,
  encodeMappingIds,
  EVENT_HEADERS,
  partitionKey,
  type EventMetadata,
  type SpecEvent,
} from '@manifold/events';

/** Headers of a message waiting in a retry tier, next to the event's own headers. */
export const RETRY_HEADERS = {
  destinationId: 'manifold-retry-destination-id',
  attempts: 'manifold-retry-attempts',
  firstAttemptAt: 'manifold-retry-first-attempt-at',
  dueAt: 'manifold-retry-due-at',
  notBefore: 'manifold-retry-not-before',
  origin: 'manifold-retry-origin',
  from: 'manifold-retry-from',
  reason: 'manifold-retry-reason',
  deliveredMappings: 'manifold-retry-delivered-mappings',
} as const;

/** One event for one destination instance, waiting for its next attempt. */
export interface PendingRetry {
  /** The event as routed to the instance (after its destination filters). */
  event: SpecEvent;
  metadata: EventMetadata;
  destinationId: string;
  /** Delivery attempts made so far. */
  attempts: number;
  firstAttemptAt: number;
  dueAt: number;
  notBefore: number;
  /** The events-topic message it came from (topic/partition/offset): its messageId claim. */
  origin: string;
  /**
   * The message whose read handed the event over to this retry (`topic/partition/offset` of the
   * events message or of the retry before it). Copies of one hand-over (its batch read again
   * after the retry was published) share it, and only one of them goes on.
   */
  from: string;
  /** Why the last attempt failed. */
  reason: string;
  /** The mappings whose requests were delivered already (an event that matched several): not sent again. */
  deliveredMappings?: readonly string[];
}

export function encodeRetryMessage(retry: PendingRetry): OutgoingMessage {
  return {
    key: partitionKey(retry.event),
    value: JSON.stringify(retry.event),
    headers: {
      [EVENT_HEADERS.sourceId]: retry.metadata.sourceId,
      [EVENT_HEADERS.workspaceId]: retry.metadata.workspaceId,
      [EVENT_HEADERS.messageId]: retry.event.messageId,
      [EVENT_HEADERS.type]: retry.event.type,
      [EVENT_HEADERS.receivedAt]: retry.event.receivedAt,
      [RETRY_HEADERS.destinationId]: retry.destinationId,
      [RETRY_HEADERS.attempts]: String(retry.attempts),
      [RETRY_HEADERS.firstAttemptAt]: String(retry.firstAttemptAt),
      [RETRY_HEADERS.dueAt]: String(retry.dueAt),
      [RETRY_HEADERS.notBefore]: String(retry.notBefore),
      [RETRY_HEADERS.origin]: retry.origin,
      [RETRY_HEADERS.from]: retry.from,
      [RETRY_HEADERS.reason]: retry.reason,
      ...(retry.deliveredMappings?.length
        ? { [RETRY_HEADERS.deliveredMappings]: encodeMappingIds(retry.deliveredMappings) }
        : {}),
    },
  };
}

/** When a retry message is due, read from its headers only (no body parsing); NaN when absent. */
export function retryDueAt(message: ConsumedMessage): number {
  return Number(message.headers[RETRY_HEADERS.dueAt]);
}

/** Reads a retry message back; throws on one that is not (the caller dead-letters it). */
export function decodeRetryMessage(message: ConsumedMessage): PendingRetry {
  const h = message.headers;
  const number = (name: string): number => {
    const value = Number(h[name]);
    if (!Number.isFinite(value)) throw new Error(`retry message without a numeric ${name} header`);
    return value;
  };
  const text = (name: string): string => {
    const value = h[name];
    if (!value) throw new Error(`retry message without a ${name} header`);
    return value;
  };
  if (!message.value) throw new Error('retry message without a body');
  const event = JSON.parse(message.value.toString('utf8')) as SpecEvent;
  if (typeof event !== 'object' || event === null || typeof event.messageId !== 'string') {
    throw new Error('retry message body is not a Spec event');
  }
  return {
    event,
    metadata: { sourceId: text(EVENT_HEADERS.sourceId), workspaceId: text(EVENT_HEADERS.workspaceId) },
    destinationId: text(RETRY_HEADERS.destinationId),
    attempts: number(RETRY_HEADERS.attempts),
    firstAttemptAt: number(RETRY_HEADERS.firstAttemptAt),
    dueAt: number(RETRY_HEADERS.dueAt),
    notBefore: number(RETRY_HEADERS.notBefore),
    origin: text(RETRY_HEADERS.origin),
    // Retries published before the header existed: one hand-over per origin and attempt count.
    from: h[RETRY_HEADERS.from] ?? `${text(RETRY_HEADERS.origin)}#${number(RETRY_HEADERS.attempts)}`,
    reason: h[RETRY_HEADERS.reason] ?? '',
    ...deliveredMappings(h[RETRY_HEADERS.deliveredMappings]),
  };
}

function deliveredMappings(header: string | undefined): Pick<PendingRetry, 'deliveredMappings'> {
  if (!header) return {};
  return { deliveredMappings: decodeMappingIds(header, RETRY_HEADERS.deliveredMappings) };
}
