import type { Notices } from '@manifold/destination-kit';
import { cutText } from '../common/cut-text';
import { flatProperties } from '../common/flat-properties';

// Kissmetrics stores every value as text or a number it reads from the text, of at most 512
// characters, under names of at most 255 (case-insensitive). So: nested objects are flattened into
// dotted names, lists joined with "," (as Segment did), booleans and numbers written as text, ISO
// dates turned into Unix seconds (what Kissmetrics compares as dates), long text cut; names it
// reserves for its own parameters, and names too long, are left out. Each change is a notice.

const MAX_VALUE_CHARS = 512;
const MAX_NAME_CHARS = 255;
const RESERVED = new Set(['_k', '_p', '_n', '_t', '_d']);
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function kmValue(value: unknown, field: string, notices: Notices): string | undefined {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return String(value);
    notices.dropped(field, 'not a finite number');
    return undefined;
  }
  if (typeof value === 'boolean') {
    notices.converted(field, 'boolean', 'string');
    return String(value);
  }
  if (typeof value === 'string') {
    if (ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value))) {
      notices.reshaped(field, 'date-time sent as Unix seconds');
      return String(Math.floor(Date.parse(value) / 1000));
    }
    return cutText(value, MAX_VALUE_CHARS, field, notices);
  }
  if (Array.isArray(value)) {
    notices.converted(field, 'list', 'string');
    return cutText(value.map(text).join(','), MAX_VALUE_CHARS, field, notices);
  }
  notices.dropped(field, 'not a value Kissmetrics takes');
  return undefined;
}

/** Properties as Kissmetrics parameters, each name prefixed with `prefix`. */
export function kmProperties(
  properties: Record<string, unknown>,
  field: string,
  notices: Notices,
  prefix = '',
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(flatProperties(properties, field, notices, kmValue))) {
    const named = `${prefix}${name}`;
    if (RESERVED.has(named.toLowerCase())) notices.dropped(`${field}.${name}`, 'name reserved by Kissmetrics');
    else if (named.length > MAX_NAME_CHARS)
      notices.dropped(`${field}.${name}`, `name longer than ${MAX_NAME_CHARS} characters`);
    else out[named] = value;
  }
  return out;
}
