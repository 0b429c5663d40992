import type { Request, Response } from 'express';
import type { z } from 'zod';
import { zodIssueInWords } from '@manifold/validation-messages';

import { sendError } from '../api/mount';
import type { ConsoleContext } from './context';
import { HttpError } from './http-error';

/** A handler of the /auth routes: its result is the JSON answer (never cached), its errors go through sendError. */
export function jsonRoute(
  context: ConsoleContext,
  handler: (req: Request, res: Response) => Promise<unknown>,
): (req: Request, res: Response) => Promise<void> {
  return async (req, res) => {
    try {
      res.set('cache-control', 'no-store').json(await handler(req, res));
    } catch (error) {
      sendError(res, error, context);
    }
  };
}

export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body ?? {}, { error: zodIssueInWords });
  if (result.success) return result.data;
  const fields = result.error.issues.map((i) => ({ field: i.path.map(String).join('.'), message: i.message }));
  throw new HttpError(400, 'invalid_argument', fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields);
}

/** Sign-in forms post JSON only: a cross-site HTML form cannot, and fetch from elsewhere needs CORS we never grant. */
export function requireJson(req: Request): void {
  if (!req.is('application/json')) throw new HttpError(415, 'invalid_argument', 'send JSON (application/json)');
}
