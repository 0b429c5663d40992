import { isPlainObject } from '@manifold/json';
import { IngestionError } from '../http/errors';

/** A request body as the JSON object every Tracking API call and batch is. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  // Some clients start UTF-8 bodies with a byte-order mark, which JSON.parse refuses.
  const start = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  try {
    parsed = JSON.parse(body.toString('utf8', start));
  } catch (error) {
    throw IngestionError.badRequest(`the body is not valid JSON: ${(error as Error).message}`);
  }
  if (!isPlainObject(parsed)) throw IngestionError.badRequest('the body must be a JSON object');
  return parsed;
}
