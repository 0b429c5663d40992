import { maskerOf, maskRequest } from '@manifold/destination-kit';
import type { OutgoingMessage } from '@manifold/kafka';
import { DEAD_LETTER_HEADERS, type DeadLetterRecord as StoredDeadLetter } from '@manifold/events';
import { SecretMasker } from '@manifold/secrets';
import type { Exchange } from '../pipeline/task';

/** How much of a request or response body a dead letter keeps. */
const BODY_CHARS = 2000;

/** The last request of a dead letter, with every credential of its destination instance masked. */
export interface MaskedRequestExcerpt {
  method: string;
  url: string;
  headers: Record<string, string>;
  bodyExcerpt?: string;
}

/** Why an event ended on a dead-letter topic: the kit's reasons, and the translator's own. */
export type DeadLetterCause =
  | 'INVALID_SETTINGS'
  | 'REJECTED'
  | 'RETRIES_EXHAUSTED'
  | 'TRANSLATION_ERROR'
  /** The Kafka message was not an event (or not a retry record) at all. */
  | 'UNDECODABLE';

/**
 * The JSON value of a dead-letter message, as the translator writes it (the readers' shape is
 * the events library's): enough to understand the failure and send the event again.
 */
export interface DeadLetterRecord extends StoredDeadLetter {
  reason: DeadLetterCause;
  lastRequest?: MaskedRequestExcerpt;
  lastResponse?: { status: number; bodyExcerpt: string } | { error: string };
}

export { DEAD_LETTER_HEADERS };

/**
 * The last request and answer of a failed delivery, as a dead letter keeps them: built by the
 * kit's `maskRequest` with the credentials of the instance the request was built for, which also
 * masks them in the answer (an API may echo its key) and in a network error.
 */
export function exchangeDetails(
  exchange: Exchange | undefined,
): Pick<DeadLetterRecord, 'lastRequest' | 'lastResponse'> {
  if (!exchange) return {};
  const masker = maskerOf(exchange.request);
  const { body, ...request } = maskRequest(exchange.request, { masker, bodyChars: BODY_CHARS });
  const lastResponse = exchange.response
    ? { status: exchange.response.status, bodyExcerpt: masker.excerpt(exchange.response.body, BODY_CHARS) }
    : exchange.error !== undefined
      ? { error: masker.text(exchange.error) }
      : undefined;
  return {
    lastRequest: { ...request, ...(body !== undefined ? { bodyExcerpt: body } : {}) },
    ...(lastResponse ? { lastResponse } : {}),
  };
}

export function encodeDeadLetter(record: DeadLetterRecord): OutgoingMessage {
  // The message may quote an answer or an error: at least URL userinfo never goes on.
  const message = SecretMasker.generic.text(record.message);
  return {
    key: record.event?.messageId ?? record.origin,
    value: JSON.stringify({ ...record, message }),
    headers: {
      [DEAD_LETTER_HEADERS.reason]: record.reason,
      ...(record.destinationId ? { [DEAD_LETTER_HEADERS.destinationId]: record.destinationId } : {}),
    },
  };
}

/** How much of a failed Reverse ETL row's message its run keeps. */
const FAILED_ROW_MESSAGE_CHARS = 500;

/**
 * Why a dead-lettered Reverse ETL row failed, for its run's failed-row samples (a refusal's
 * message quotes the answer): masked as the dead letter is (the instance's credentials, then any
 * URL userinfo), and shortened.
 */
export function failedRowMessage(record: DeadLetterRecord, exchange: Exchange | undefined): string {
  const message = SecretMasker.generic.text(
    exchange ? maskerOf(exchange.request).text(record.message) : record.message,
  );
  return message.length > FAILED_ROW_MESSAGE_CHARS ? `${message.slice(0, FAILED_ROW_MESSAGE_CHARS)}…` : message;
}
