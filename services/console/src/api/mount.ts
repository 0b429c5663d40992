import type { Express, Request, Response } from 'express';
import type { z } from 'zod';
import { requirePrincipal } from '../server/authenticate';
import type { ConsoleContext } from '../server/context';
import { isMongoUnavailableError } from '@manifold/mongo';
import { zodIssueInWords } from '@manifold/validation-messages';

import { checkCsrf, expectedOrigin, isUnsafe } from '../server/csrf';
import { HttpError, type FieldViolation } from '../server/http-error';
import { toHttpError } from '../control-plane/grpc-errors';
import { authorizeWorkspace } from './access';
import type { RouteDefinition } from './route';
import { sessionBinding } from '../server/session-binding';
import { valueProblem } from '../server/json-body';

function invalid(where: string, fields: FieldViolation[]): HttpError {
  return new HttpError(
    400,
    'invalid_argument',
    `invalid ${where}: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`,
    fields,
  );
}

function parse<T extends z.ZodType>(schema: T | undefined, input: unknown, where: string): z.output<T> {
  if (!schema) return {} as z.output<T>;
  // Path and query text reaches the control plane as ids and filters: the same refusals as bodies' (json-body.ts).
  if (where !== 'body') {
    const problem = valueProblem(input, where, 3);
    if (problem) throw invalid(where, [problem]);
  }
  const result = schema.safeParse(input ?? {}, { error: zodIssueInWords });
  if (result.success) return result.data;
  const fields: FieldViolation[] = result.error.issues.flatMap((issue) => {
    const path = issue.path.map(String).join('.');
    // A strict object's unknown keys, each on its own name rather than all on the object's.
    if (issue.code === 'unrecognized_keys') {
      const message = where === 'query' ? 'is not a parameter of this route' : issue.message;
      return issue.keys.map((key) => ({ field: path ? `${path}.${key}` : key, message }));
    }
    return [{ field: path || where, message: issue.message }];
  });
  throw invalid(where, fields);
}

/** Serves each route under /api/v1: authenticate, guard against CSRF, validate, authorize, run. */
export function mountApiRoutes(app: Express, routes: readonly RouteDefinition[], context: ConsoleContext): void {
  for (const route of routes) {
    app[route.method](`/api/v1${route.path}`, async (req: Request, res: Response) => {
      try {
        const principal = await requirePrincipal(req, context.stores);
        if (principal.via === 'session' && isUnsafe(req))
          checkCsrf(req, principal.session.csrfToken, context.publicUrl);
        if (route.sessionOnly && principal.via !== 'session') {
          throw new HttpError(403, 'forbidden', 'sign in to the console to manage API tokens');
        }
        // Authorization comes before validation: outsiders learn nothing, not even what input is valid.
        const access =
          route.access === 'user'
            ? undefined
            : await authorizeWorkspace(
                context.controlPlane,
                String(req.params['workspace']),
                principal.email,
                route.access,
              );
        const params = parse(route.params, req.params, 'path');
        const query = parse(route.query, req.query, 'query');
        const body = parse(route.body, req.body, 'body');
        const result = await route.handler({
          params,
          query,
          body,
          email: principal.email,
          workspace: access?.workspace,
          role: access?.role,
          controlPlane: context.controlPlane,
          stores: context.stores,
          via: principal.via,
          sessionBinding: principal.via === 'session' ? sessionBinding(principal.sessionId) : undefined,
          mailer: context.mailer,
          logger: context.logger,
          origin: expectedOrigin(req, context.publicUrl),
        });
        res.status(route.status ?? 200).json(result);
      } catch (error) {
        sendError(res, error, context);
      }
    });
  }
}

/** Every error answer of the console goes through here, so each kind of failure maps to one status. */
export function sendError(res: Response, error: unknown, context: Pick<ConsoleContext, 'logger'>): void {
  if (isMongoUnavailableError(error)) {
    context.logger.warn({ err: error }, 'console database unavailable');
    res
      .status(503)
      .set('retry-after', '5')
      .json(new HttpError(503, 'unavailable', "the console's database is unavailable; try again shortly").toJSON());
    return;
  }
  const mapped = toHttpError(error);
  if (mapped instanceof HttpError) {
    // A 5xx answer says little (no gRPC or database text): the log keeps the cause.
    if (mapped.status >= 500) context.logger.error({ err: error }, 'request failed');
    if (mapped.retryAfterSeconds !== undefined) res.set('retry-after', String(mapped.retryAfterSeconds));
    res.status(mapped.status).json(mapped.toJSON());
    return;
  }
  context.logger.error({ err: error }, 'request failed');
  res.status(500).json(new HttpError(500, 'internal', 'internal error').toJSON());
}
