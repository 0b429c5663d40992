/**
 * Reason codes of the HTTP boundary. The discard codes are Segment's "Failed on ingest" list
 * (docs/event-spec.md#discard-codes), so what a user reads in our answers matches Segment's vocabulary.
 * `rate_limited`, `unavailable` and `not_found` are not discards (the client should retry, or
 * called a path that does not exist), so they have no Segment counterpart.
 */
export const REASON_CODES = [
  'bad_request',
  'unknown_source',
  'source_disabled',
  'empty_batch',
  'empty_batch_result',
  'multi_user_error',
  'no_user_anon_id',
  'id_required',
  'id_not_string',
  'event_not_defined',
  'event_not_string',
  'properties_not_object',
  'traits_not_object',
  'name_not_string',
  'category_not_string',
  'rate_limited',
  'unavailable',
  'not_found',
  'unauthorized',
  // Webhook sources: a delivery whose signature is missing or wrong, a key that is no webhook source's.
  'invalid_signature',
  'not_webhook_source',
] as const;

export type ReasonCode = (typeof REASON_CODES)[number];

/** A reason an event (or a whole request) was not accepted, as shown to the client and the debugger. */
export interface Rejection {
  code: ReasonCode;
  message: string;
}

/**
 * The one error type of the ingestion HTTP boundary: every answer other than success is one of
 * these, rendered as `{"success":false,"code":...,"message":...}` with its status.
 */
export class IngestionError extends Error {
  constructor(
    readonly status: number,
    readonly code: ReasonCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    /** Extra fields for the JSON body, e.g. the rejected items of a batch. */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'IngestionError';
  }

  static badRequest(message: string, headers?: Record<string, string>): IngestionError {
    return new IngestionError(400, 'bad_request', message, headers);
  }

  static unavailable(message: string): IngestionError {
    // Retry-After helps clients that honour it to back off instead of hammering a recovering Kafka.
    return new IngestionError(503, 'unavailable', message, { 'retry-after': '1' });
  }

  body(): Record<string, unknown> {
    return { success: false, code: this.code, message: this.message, ...this.details };
  }
}
