import { timingSafeEqual } from 'node:crypto';
import {
  type Metadata,
  status,
  type handleUnaryCall,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceError,
} from '@grpc/grpc-js';
import type { Logger } from '@manifold/logger';
import { fieldViolationsMetadata } from '@manifold/proto';
import { MongoUnavailableError } from '@manifold/mongo';
import type { CallContext } from '../domain/context';
import { ControlPlaneError } from '../domain/errors';

export interface HandlerDeps {
  token: string;
  logger: Logger;
  now: () => Date;
}

/** Checks the service token (constant time) and reads who acts from the metadata. */
export function authenticate(metadata: Metadata, deps: HandlerDeps): CallContext {
  const header = String(metadata.get('authorization')[0] ?? '');
  const match = /^Bearer (.+)$/.exec(header);
  if (!match) throw ControlPlaneError.unauthenticated('missing "authorization: Bearer <token>" metadata');
  const given = Buffer.from(match[1] ?? '');
  const expected = Buffer.from(deps.token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw ControlPlaneError.unauthenticated('invalid token');
  }
  const actor = String(metadata.get('x-manifold-actor')[0] ?? '') || 'api';
  return { actor, now: deps.now() };
}

/** Maps any failure to a gRPC status: ours keep their code and message, others are logged. */
export function toServiceError(error: unknown, logger: Logger, method: string): Partial<ServiceError> {
  if (error instanceof ControlPlaneError) {
    return { code: error.code, details: error.message, metadata: fieldViolationsMetadata(error.violations) };
  }
  if (
    error instanceof MongoUnavailableError ||
    (error instanceof Error && /MongoServerSelectionError|MongoNetworkError/.test(error.name))
  ) {
    logger.warn({ err: error, method }, 'database unavailable');
    return { code: status.UNAVAILABLE, details: 'the configuration database is unavailable; try again' };
  }
  logger.error({ err: error, method }, 'unexpected error');
  return { code: status.INTERNAL, details: 'internal error' };
}

/** Wraps a typed handler as a grpc-js unary handler with authentication and error mapping. */
export function unary<Req, Res>(
  method: string,
  deps: HandlerDeps,
  handler: (request: Req, ctx: CallContext) => Promise<Res> | Res,
): handleUnaryCall<Req, Res> {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    void (async () => {
      try {
        const ctx = authenticate(call.metadata, deps);
        callback(null, await handler(call.request, ctx));
      } catch (error) {
        callback(toServiceError(error, deps.logger, method));
      }
    })();
  };
}
