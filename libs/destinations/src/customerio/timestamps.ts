// Customer.io takes Unix seconds everywhere: the entity `timestamp` is
// always converted; with the `convertTimestamps` setting, ISO-8601 strings inside attributes too.
import { isPlainObject } from '@manifold/destination-kit';

// Segment's isostring pattern: a date, optionally a time with up to 9 fraction digits and a zone.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}((T\d{2}:\d{2}(:\d{2})?)(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function isIsoDate(value: string): boolean {
  return ISO_DATE.test(value) && !Number.isNaN(Date.parse(value));
}

/** Unix seconds of an ISO date-time; numbers and digit strings are taken as already converted. */
export function unixSeconds(value: string | number): number {
  if (typeof value === 'number') return value;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  return Math.floor(Date.parse(value) / 1000);
}

/** A copy with every ISO-8601 string in (nested) plain objects replaced by Unix seconds; arrays are left alone. */
export function convertIsoTimestamps(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (typeof value === 'string' && isIsoDate(value)) out[key] = Math.floor(Date.parse(value) / 1000);
    else if (isPlainObject(value)) out[key] = convertIsoTimestamps(value);
    else out[key] = value;
  }
  return out;
}
