import type { SpecEvent } from './spec';

/** Headers of a dead-letter message: enough to route or count it without parsing its value. */
export const DEAD_LETTER_HEADERS = {
  reason: 'manifold-dlq-reason',
  destinationId: 'manifold-dlq-destination-id',
} as const;

/**
 * The JSON value of a dead-letter message (`manifold.dlq.<type>.v1`), as the translators write
 * it: enough to understand the failure and to send the event again.
 */
export interface DeadLetterRecord {
  /** INVALID_SETTINGS, REJECTED, RETRIES_EXHAUSTED, TRANSLATION_ERROR, UNDECODABLE. */
  reason: string;
  message: string;
  destinationType: string;
  destinationId?: string;
  sourceId?: string;
  workspaceId?: string;
  /** The event as the instance would have received it (its filters applied); absent when undecodable. */
  event?: SpecEvent;
  /** The message's raw value when it could not be decoded (truncated). */
  raw?: string;
  /** The messageId claim's origin: the events-topic message (`topic/partition/offset`) or a redelivery's. */
  origin: string;
  /**
   * The instance's mappings whose requests for this event went through before it was
   * dead-lettered (the event matched several): a redrive sends it through the others only.
   */
  deliveredMappings?: string[];
  attempts: number;
  firstAttemptAt?: string;
  failedAt: string;
  /** Masked by the translator. Older records have `bodyExcerpt` instead of `body`. */
  lastRequest?: { method: string; url: string; headers: Record<string, string>; body?: string; bodyExcerpt?: string };
  lastResponse?: { status: number; bodyExcerpt: string; headers?: Record<string, string> } | { error: string };
}

/** Parses a dead-letter message's value; throws when it is not a dead-letter record. */
export function decodeDeadLetter(value: Buffer | string): DeadLetterRecord {
  const parsed: unknown = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null) throw new Error('a dead letter is a JSON object');
  const record = parsed as Partial<DeadLetterRecord>;
  for (const field of ['reason', 'destinationType', 'origin', 'failedAt'] as const) {
    if (typeof record[field] !== 'string') throw new Error(`a dead letter without ${field}`);
  }
  return { message: '', attempts: 0, ...record } as DeadLetterRecord;
}
