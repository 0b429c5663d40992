import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { HttpError, type FieldViolation } from './http-error';

// The Public API's one JSON boundary. Every way a body can be unusable answers a 4xx naming
// `body` (or the field at fault), before any route sees it: not JSON, not sent as JSON, too
// large, nested deeper than anything real (deeper values overflowed the stack encoding them
// for the control plane: a 502), or holding text no store can keep (NUL, which FerretDB's
// PostgreSQL cannot hold; unpaired surrogates, which UTF-8 cannot encode).

/** Bodies larger than this answer 413. */
const LIMIT = '1mb';
/** Deeper than any real settings, event, mapping or tracking plan. */
export const MAX_DEPTH = 64;

const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function bodyError(status: number, field: string, message: string): HttpError {
  return new HttpError(status, 'invalid_argument', `invalid body: ${field}: ${message}`, [{ field, message }]);
}

/** What is wrong with a string (a value or a key) that the console cannot pass on, if anything. */
export function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  if (UNPAIRED_SURROGATE.test(text)) return 'must be valid Unicode (it holds an unpaired surrogate)';
  return undefined;
}

/**
 * The first problem with a parsed value: too deep, or text `textProblem` refuses, on its path as
 * zod names paths (`settings.apiKey`, `ids.2`); `root` names the value itself. Iterative, so a
 * deep value cannot overflow the stack here either.
 */
export function valueProblem(value: unknown, root: string, maxDepth = MAX_DEPTH): FieldViolation | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value: current, path, depth } = stack.pop()!;
    const field = path || root;
    if (typeof current === 'string') {
      const problem = textProblem(current);
      if (problem) return { field, message: problem };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= maxDepth) return { field, message: `must not be nested more than ${maxDepth} levels deep` };
    for (const [key, child] of Object.entries(current)) {
      const childPath = path ? `${path}.${key}` : key;
      const problem = textProblem(key);
      if (problem) return { field: path || root, message: `a key ${problem}` };
      stack.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return undefined;
}

/** body-parser's failures as the API's errors; anything else passes through. */
function fromParserError(error: unknown): unknown {
  const { type, body } = error as { type?: unknown; body?: unknown };
  switch (type) {
    case 'entity.too.large':
      return bodyError(413, 'body', 'must be at most 1 MB');
    case 'entity.parse.failed': {
      // Strict parsing refuses valid JSON that is not an object or array ("x", 42, null) too.
      let json = true;
      try {
        JSON.parse(String(body));
      } catch {
        json = false;
      }
      return bodyError(400, 'body', json ? 'must be a JSON object' : 'is not valid JSON');
    }
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return bodyError(415, 'body', 'must be JSON in UTF-8');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return bodyError(400, 'body', 'was not received whole');
    default:
      return error;
  }
}

/** Parses and checks /api/v1 bodies; a request without a body passes as before (`{}`). */
export function jsonBody(): RequestHandler {
  const parse = express.json({ limit: LIMIT });
  return (req: Request, res: Response, next: NextFunction) => {
    // `req.is` is null without a body. A body of another type was ignored, so a route ran as if
    // it had been sent `{}`: a PATCH answered 200 having changed nothing. An empty body (a POST
    // of an action such as "run now", `Content-Length: 0`, often with no or another type) is none.
    if (req.headers['content-length'] !== '0' && req.is('application/json') === false) {
      next(bodyError(415, 'body', 'must be sent as JSON (content-type: application/json)'));
      return;
    }
    parse(req, res, (error?: unknown) => {
      if (error) {
        next(fromParserError(error));
        return;
      }
      const problem = req.body === undefined ? undefined : valueProblem(req.body, 'body');
      next(problem ? bodyError(400, problem.field, problem.message) : undefined);
    });
  };
}
