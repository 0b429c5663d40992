import type { ConsumedMessage, OutgoingMessage } from '@manifold/kafka';
import { EVENT_HEADERS } from './topics';
import { isCallType, type SpecEvent } from './spec';

export interface EventMetadata {
  sourceId: string;
  workspaceId: string;
}

export interface DecodedEvent {
  event: SpecEvent;
  metadata: EventMetadata;
}

/** One user's events share a partition so they stay in order; anonymous ones by anonymousId. */
export function partitionKey(event: Pick<SpecEvent, 'userId' | 'anonymousId' | 'messageId'>): string {
  return event.userId || event.anonymousId || event.messageId;
}

/** The Kafka message for an accepted event: JSON body, metadata in headers. */
export function encodeEventMessage(
  event: SpecEvent,
  metadata: EventMetadata,
  extraHeaders: Record<string, string> = {},
): OutgoingMessage {
  return {
    key: partitionKey(event),
    value: JSON.stringify(event),
    headers: eventMessageHeaders(event, metadata, extraHeaders),
  };
}

/**
 * An event message's headers (encodeEventMessage's), for a producer that writes the body itself
 * (Reverse ETL serialises each row once for both its messageId and its body).
 */
export function eventMessageHeaders(
  event: Pick<SpecEvent, 'messageId' | 'type' | 'receivedAt'>,
  metadata: EventMetadata,
  extraHeaders: Record<string, string> = {},
): Record<string, string> {
  // Fixed keys first, then the extras: far cheaper on the ingestion hot path than spreading the
  // extras into a new object (measured by the ingestion benchmark). Extras never override ours.
  const headers: Record<string, string> = {
    [EVENT_HEADERS.sourceId]: metadata.sourceId,
    [EVENT_HEADERS.workspaceId]: metadata.workspaceId,
    [EVENT_HEADERS.messageId]: event.messageId,
    [EVENT_HEADERS.type]: event.type,
    [EVENT_HEADERS.receivedAt]: event.receivedAt,
  };
  for (const name in extraHeaders) {
    if (!(name in headers)) headers[name] = extraHeaders[name] as string;
  }
  return headers;
}

/**
 * An event message's metadata, from its headers alone, for consumers that hold events before
 * reading them (the warehouse loader parses each body only when it loads it). Throws on a message
 * that is not an event message: no source or workspace header, or no body.
 */
export function decodeEventHeaders(message: ConsumedMessage): EventMetadata {
  const sourceId = message.headers[EVENT_HEADERS.sourceId];
  const workspaceId = message.headers[EVENT_HEADERS.workspaceId];
  if (!sourceId || !workspaceId) throw new Error('event message without source or workspace header');
  if (!message.value) throw new Error('event message without a body');
  return { sourceId, workspaceId };
}

/** The event an event message's body holds; throws on a body that is not a Spec event (or not JSON). */
export function parseEventBody(body: Buffer): SpecEvent {
  const event = JSON.parse(body.toString('utf8')) as SpecEvent;
  if (!isCallType(event.type) || typeof event.messageId !== 'string') {
    throw new Error('event message body is not a Spec event');
  }
  return event;
}

/** Reads an event message back; throws on a message that is not one (callers dead-letter it). */
export function decodeEventMessage(message: ConsumedMessage): DecodedEvent {
  const metadata = decodeEventHeaders(message);
  // decodeEventHeaders checked that there is a body.
  return { event: parseEventBody(message.value as Buffer), metadata };
}
