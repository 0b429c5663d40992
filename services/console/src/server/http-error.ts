/** A field-level problem, e.g. { field: 'settings.apiKey', message: 'is required' }. */
export interface FieldViolation {
  field: string;
  message: string;
}

export type ErrorCode =
  | 'invalid_argument'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'already_exists'
  | 'conflict'
  | 'expired'
  | 'csrf'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

/** An error the console answers with as JSON: { error: { code, message, fields? } }. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly fields: FieldViolation[] = [],
    /** How long the caller should wait before trying again: the answer's Retry-After (sendError). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'HttpError';
  }

  toJSON(): { error: { code: ErrorCode; message: string; fields?: FieldViolation[] } } {
    return {
      error: { code: this.code, message: this.message, ...(this.fields.length > 0 ? { fields: this.fields } : {}) },
    };
  }
}

export const notFound = (what: string): HttpError => new HttpError(404, 'not_found', `${what} not found`);
