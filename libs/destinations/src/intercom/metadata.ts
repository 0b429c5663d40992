import { isPlainObject, type Notices } from '@manifold/destination-kit';

// Intercom event metadata: at most 10 keys (Intercom ignores the
// others without a word), flat values: strings, numbers, booleans, rich links {url, value} and
// money {amount (integer cents), currency}. Nested objects and lists are sent as JSON text so
// nothing is refused; keys past the 10th are left out with a notice; nulls carry nothing.

export const MAX_METADATA_KEYS = 10;

function isRichLink(value: Record<string, unknown>): boolean {
  return Object.keys(value).length === 2 && typeof value['url'] === 'string' && typeof value['value'] === 'string';
}

function isMoney(value: Record<string, unknown>): boolean {
  return Object.keys(value).length === 2 && Number.isInteger(value['amount']) && typeof value['currency'] === 'string';
}

/** Metadata Intercom keeps whole: `first` (e.g. the price) ahead of the properties. */
export function flatMetadata(
  first: Record<string, unknown>,
  properties: Record<string, unknown>,
  notices: Notices,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...first };
  for (const [key, value] of Object.entries(properties)) {
    if (value === null || value === undefined || key in out) continue;
    const field = `metadata.${key}`;
    if (Object.keys(out).length >= MAX_METADATA_KEYS) {
      notices.dropped(field, `Intercom keeps ${MAX_METADATA_KEYS} metadata keys per event`);
    } else if (Array.isArray(value) || (isPlainObject(value) && !isRichLink(value) && !isMoney(value))) {
      out[key] = JSON.stringify(value);
      notices.converted(field, Array.isArray(value) ? 'list' : 'object', 'string');
    } else {
      out[key] = value;
    }
  }
  return out;
}
