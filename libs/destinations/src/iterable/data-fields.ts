import { isPlainObject, type Notices } from '@manifold/destination-kit';

// Iterable types a dataFields value as a date only when written `yyyy-MM-dd HH:mm:ss ZZ`
// (`2026-11-30 14:05:09 +00:00`); an ISO-8601 date-time would be kept as text. ISO date-times of
// whole seconds are rewritten so (the same instant, in UTC), at any depth; those with fractions
// of a second stay text, as the rewrite would lose the fraction.

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

function iterableDate(value: string): string | undefined {
  if (!ISO_DATE_TIME.test(value)) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || ms % 1000 !== 0) return undefined;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} +00:00`;
}

function rewrite(value: unknown, field: string, notices: Notices): unknown {
  if (typeof value === 'string') {
    const date = iterableDate(value);
    if (date === undefined) return value;
    notices.reshaped(field, 'ISO date-time written as an Iterable date');
    return date;
  }
  if (Array.isArray(value)) return value.map((item) => rewrite(item, `${field}[]`, notices));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v, `${field}.${k}`, notices)]));
  }
  return value;
}

/** `dataFields` with its ISO date-times written as Iterable dates; `field` names it in notices. */
export function dataFields(fields: Record<string, unknown>, field: string, notices: Notices): Record<string, unknown> {
  return rewrite(fields, field, notices) as Record<string, unknown>;
}
