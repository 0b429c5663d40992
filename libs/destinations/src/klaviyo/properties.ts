import type { Notices } from '@manifold/destination-kit';

// Klaviyo takes at most 400 event properties and strings of at most 100 KB; a property beyond
// these is left out alone, with a notice, so the rest of the event is recorded.

const MAX_PROPERTIES = 400;
const MAX_STRING_BYTES = 100 * 1024;

export function klaviyoProperties(
  properties: Record<string, unknown>,
  field: string,
  notices: Notices,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const [key, value] of Object.entries(properties)) {
    if (value === undefined) continue;
    if (typeof value === 'string' && Buffer.byteLength(value) > MAX_STRING_BYTES) {
      notices.dropped(`${field}.${key}`, 'text longer than 100 KB');
      continue;
    }
    if (count === MAX_PROPERTIES) {
      notices.dropped(`${field}.${key}`, `beyond ${MAX_PROPERTIES} properties`);
      continue;
    }
    out[key] = value;
    count++;
  }
  return out;
}
