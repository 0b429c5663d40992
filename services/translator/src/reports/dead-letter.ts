import { truncate } from '@manifold/destination-kit';
import type { OutgoingMessage } from '@manifold/kafka';
import type { SpecEvent } from '@manifold/events';
import type { Exchange } from '../pipeline/task';
import { redactRequest, type RedactedRequest } from './redact';

/** Why an event ended on a dead-letter topic: the kit's reasons, and the translator's own. */
export type DeadLetterCause =
  | 'INVALID_SETTINGS'
  | 'REJECTED'
  | 'RETRIES_EXHAUSTED'
  | 'TRANSLATION_ERROR'
  /** The Kafka message was not an event (or not a retry record) at all. */
  | 'UNDECODABLE';

/** The JSON value of a dead-letter message: enough to understand the failure and replay the event. */
export interface DeadLetterRecord {
  reason: DeadLetterCause;
  message: string;
  destinationType: string;
  destinationId?: string;
  sourceId?: string;
  workspaceId?: string;
  /** The event as it would have been delivered; absent only for undecodable messages. */
  event?: SpecEvent;
  /** The message's raw value when it could not be decoded (truncated). */
  raw?: string;
  /** Where it came from: `topic/partition/offset` of the events-topic message. */
  origin: string;
  attempts: number;
  firstAttemptAt?: string;
  failedAt: string;
  lastRequest?: RedactedRequest;
  lastResponse?: { status: number; bodyExcerpt: string } | { error: string };
}

export const DEAD_LETTER_HEADERS = {
  reason: 'manifold-dlq-reason',
  destinationId: 'manifold-dlq-destination-id',
} as const;

export function exchangeDetails(
  exchange: Exchange | undefined,
): Pick<DeadLetterRecord, 'lastRequest' | 'lastResponse'> {
  if (!exchange) return {};
  const lastResponse = exchange.response
    ? { status: exchange.response.status, bodyExcerpt: truncate(exchange.response.body, 2000) }
    : exchange.error !== undefined
      ? { error: exchange.error }
      : undefined;
  return { lastRequest: redactRequest(exchange.request), ...(lastResponse ? { lastResponse } : {}) };
}

export function encodeDeadLetter(record: DeadLetterRecord): OutgoingMessage {
  return {
    key: record.event?.messageId ?? record.origin,
    value: JSON.stringify(record),
    headers: {
      [DEAD_LETTER_HEADERS.reason]: record.reason,
      ...(record.destinationId ? { [DEAD_LETTER_HEADERS.destinationId]: record.destinationId } : {}),
    },
  };
}
