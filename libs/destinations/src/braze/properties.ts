import type { Notices } from '@manifold/destination-kit';

// What Braze takes in event and purchase `properties` and as custom attribute names: keys
// non-empty, at most 255 characters, not starting with `$`; text values of at most 255
// characters; lists and objects of at most 50 KB. One property outside these rules would make
// Braze refuse the whole object, so it alone is left out, with a notice.

const MAX_KEY_CHARS = 255;
const MAX_TEXT_CHARS = 255;
const MAX_NESTED_BYTES = 50 * 1024;

/** Why Braze refuses this key, if it does. */
export function keyProblem(key: string): string | undefined {
  if (key === '') return 'empty name';
  if (key.startsWith('$')) return 'name starting with $';
  if (key.length > MAX_KEY_CHARS) return `name longer than ${MAX_KEY_CHARS} characters`;
  return undefined;
}

/** Why Braze refuses this property value, if it does. */
function valueProblem(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > MAX_TEXT_CHARS) {
    return `text longer than ${MAX_TEXT_CHARS} characters`;
  }
  if (typeof value === 'object' && value !== null && Buffer.byteLength(JSON.stringify(value)) > MAX_NESTED_BYTES) {
    return 'list or object larger than 50 KB';
  }
  return undefined;
}

/** `properties` without what Braze refuses; each property left out is recorded under `field`. */
export function brazeProperties(
  properties: Record<string, unknown>,
  field: string,
  notices: Notices,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(properties)) {
    const problem = keyProblem(key) ?? valueProblem(value);
    if (problem) notices.dropped(`${field}.${key}`, problem);
    else out[key] = value;
  }
  return out;
}
