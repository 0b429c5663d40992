import { status, type ServiceError } from '@grpc/grpc-js';
import { fieldViolations } from '@manifold/proto';
import { HttpError, type FieldViolation } from '../server/http-error';

function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number' && 'metadata' in error;
}

/**
 * A list's paging problem on the query parameter the caller sent (`page_token`), not on the
 * control plane's request field (`page.page_token`).
 */
function asQueryField(violation: FieldViolation): FieldViolation {
  return { ...violation, field: violation.field.replace(/^page\./, '') };
}

/** Turns a control-plane gRPC error into the HTTP error the console answers with; other errors pass through. */
export function toHttpError(error: unknown): unknown {
  if (!isServiceError(error)) return error;
  const message = error.details || error.message;
  switch (error.code) {
    case status.INVALID_ARGUMENT:
    case status.FAILED_PRECONDITION:
    case status.OUT_OF_RANGE:
      return new HttpError(400, 'invalid_argument', message, fieldViolations(error).map(asQueryField));
    case status.NOT_FOUND:
      return new HttpError(404, 'not_found', message);
    case status.ABORTED:
      // A version conflict: someone else saved since the caller read (e.g. mappings' expectedVersion).
      return new HttpError(409, 'conflict', message);
    case status.ALREADY_EXISTS:
      return new HttpError(409, 'already_exists', message, fieldViolations(error));
    case status.PERMISSION_DENIED:
      return new HttpError(403, 'forbidden', message);
    case status.UNAVAILABLE:
    case status.DEADLINE_EXCEEDED:
      // Not the transport's text: it names addresses and timings, nothing the caller can act on.
      return new HttpError(503, 'unavailable', 'the control plane is unavailable; try again shortly');
    case status.UNAUTHENTICATED:
      // The console's own service token was refused: a deployment problem, not the user's.
      return new HttpError(502, 'internal', 'the control plane refused the console: check CONTROL_PLANE_TOKEN');
    default:
      // INTERNAL, UNKNOWN and client-side failures carry the control plane's (or gRPC's) own
      // text, e.g. a database's error: never the caller's. sendError logs the cause.
      return new HttpError(502, 'internal', 'the control plane could not handle this request');
  }
}
