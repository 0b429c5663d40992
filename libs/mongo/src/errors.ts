import {
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';

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

/**
 * True when the database could not be reached at all (no server selected in time, a dropped or
 * cleared connection, a closed client), as opposed to a query it refused: callers answer
 * "unavailable, try again" (HTTP 503, gRPC UNAVAILABLE) rather than an internal error.
 */
export function isMongoUnavailableError(error: unknown): boolean {
  return (
    error instanceof MongoUnavailableError ||
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoTopologyClosedError ||
    error instanceof MongoNotConnectedError
  );
}
