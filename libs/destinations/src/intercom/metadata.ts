// Intercom event metadata (destination-apis.md §6.1): at most 10 keys, flat values: strings,
// numbers, booleans, rich links {url, value} and money {amount (integer cents), currency}.
// Nested objects and lists are sent as JSON text so nothing is refused or lost; nulls carry
// nothing and are left out.

export const MAX_METADATA_KEYS = 10;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRichLink(value: Record<string, unknown>): boolean {
  return Object.keys(value).length === 2 && typeof value['url'] === 'string' && typeof value['value'] === 'string';
}

function isMoney(value: Record<string, unknown>): boolean {
  return Object.keys(value).length === 2 && Number.isInteger(value['amount']) && typeof value['currency'] === 'string';
}

export function flatMetadata(properties: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(properties)) {
    if (value === null || value === undefined) continue;
    if (Array.isArray(value) || (isRecord(value) && !isRichLink(value) && !isMoney(value))) {
      out[key] = JSON.stringify(value);
    } else {
      out[key] = value;
    }
  }
  return out;
}
