import { isPlainObject, parseJsonExact } from '@manifold/json';

/** Text that may be a JSON object or array: the rest is not parsed at all. */
const CONTAINER_START = /^\s*[[{]/;

/**
 * The object or array that `text` holds as JSON, or undefined when it holds none (not JSON, or
 * JSON of another kind). A warehouse column of JSON written as text reaches a Reverse ETL row as
 * such a string. Integers a number cannot hold keep their digits, as in the row itself.
 */
export function jsonTextContainer(text: string): Record<string, unknown> | unknown[] | undefined {
  if (!CONTAINER_START.test(text)) return undefined;
  let value: unknown;
  try {
    value = parseJsonExact(text);
  } catch {
    return undefined;
  }
  return isPlainObject(value) || Array.isArray(value) ? value : undefined;
}
