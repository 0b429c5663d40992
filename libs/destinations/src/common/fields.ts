import { z } from 'zod';
import { lenient, type Mapping, type MappingValue } from '@manifold/destination-kit';

// Field types shared by the destinations' action schemas.
//
// Optional enrichment fields are "soft": a value of another type is converted when it converts
// losslessly (an SDK sending `context.screen.width` as "1920", a latitude as a string), and left
// out with a notice when it does not, rather than dropping the whole event; null and missing read
// as absent. They are the kit's lenient fields.

export const soft = {
  string: lenient.string,
  number: lenient.number,
  integer: lenient.integer,
  boolean: lenient.boolean,
  currency: lenient.currency,
  object: lenient.object,
};

/** An ISO-8601 date-time as Spec events carry them (any form Date.parse reads). */
export const isoDateTime = () =>
  z.string().refine((value) => !Number.isNaN(Date.parse(value)), { message: 'expected an ISO-8601 date-time' });

/** An optional string: null, missing and "" (Spec events carry `userId: null`) all read as absent. */
export const optionalText = () =>
  z
    .string()
    .nullish()
    .transform((value) => (value ? value : undefined));

/** A JSON object of arbitrary keys (properties, traits). Missing or null reads as {}. */
export const record = () =>
  z
    .record(z.string(), z.unknown())
    .nullish()
    .transform((value) => value ?? {});

/** Drops undefined and null values (the APIs want absent keys, not nulls), one level deep. */
export function compact<T extends Record<string, unknown>>(object: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) if (value !== undefined && value !== null) out[key] = value;
  return out as Partial<T>;
}

/** Mapping of a Spec path that falls back to another path when the first is null or missing. */
export function coalesce(first: string, second: string) {
  return { '@if': { exists: { '@path': first }, then: { '@path': first }, else: { '@path': second } } } as const;
}

/** Mapping of `$.properties` with some of the event's own fields (a page's name) among them; the properties win on a clash. */
export function propertiesWith(fields: Mapping): MappingValue {
  return { '@merge': { objects: [fields, { '@path': '$.properties' }], direction: 'right' } };
}

/** Milliseconds since the epoch of an ISO date-time already validated by `isoDateTime`. */
export function epochMs(iso: string): number {
  return Date.parse(iso);
}
