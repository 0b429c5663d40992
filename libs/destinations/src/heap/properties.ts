import type { Notices } from '@manifold/destination-kit';
import { cutText } from '../common/cut-text';
import { flatProperties } from '../common/flat-properties';

// What Heap takes as a property value: a number, or text shorter than 1024 characters; a list of
// those is stored joined with "||" (and cut like text). Objects are flattened into dotted names,
// booleans sent as "true"/"false", lists holding objects sent as JSON text; each change is a
// notice. Heap keeps text only below 1024 characters, so longer text is cut to 1023.

const MAX_TEXT_CHARS = 1023;

type HeapValue = number | string | (number | string)[];

function heapValue(value: unknown, field: string, notices: Notices): HeapValue | undefined {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    notices.dropped(field, 'not a finite number');
    return undefined;
  }
  if (typeof value === 'string') return cutText(value, MAX_TEXT_CHARS, field, notices);
  if (typeof value === 'boolean') {
    notices.converted(field, 'boolean', 'string');
    return String(value);
  }
  if (Array.isArray(value)) {
    if (value.every((item) => typeof item === 'string' || (typeof item === 'number' && Number.isFinite(item)))) {
      return value as (number | string)[];
    }
    notices.converted(field, 'list', 'string');
    return cutText(JSON.stringify(value), MAX_TEXT_CHARS, field, notices);
  }
  notices.dropped(field, 'not a value Heap takes');
  return undefined;
}

/** Properties as Heap takes them; what changed is recorded under `field`. */
export function heapProperties(
  properties: Record<string, unknown>,
  field: string,
  notices: Notices,
): Record<string, HeapValue> {
  return flatProperties(properties, field, notices, heapValue);
}

/** User properties: as above, without any casing of `id`, which Heap refuses as a user property. */
export function heapUserProperties(
  properties: Record<string, unknown>,
  field: string,
  notices: Notices,
): Record<string, HeapValue> {
  const out = heapProperties(properties, field, notices);
  for (const key of Object.keys(out)) {
    if (key.toLowerCase() === 'id') {
      notices.dropped(`${field}.${key}`, 'Heap reserves "id" (the identity is the user id)');
      delete out[key];
    }
  }
  return out;
}
