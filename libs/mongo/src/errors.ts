import { MongoServerError } from 'mongodb';

/** The database did not answer; callers report "unavailable" rather than a data error. */
export class MongoUnavailableError extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'MongoUnavailableError';
  }
}

/** True for a write refused by a unique index (code 11000 in MongoDB and FerretDB alike). */
export function isDuplicateKeyError(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}
