import { z } from 'zod';

// Field types shared by the destinations' action schemas.
//
// Optional enrichment fields are "soft": a value of the wrong type (an SDK sending
// `context.screen.width` as a string) is ignored rather than dropping the whole event; null
// and missing read as absent.

export const soft = {
  string: () => z.string().nullish().catch(undefined),
  number: () => z.number().nullish().catch(undefined),
  boolean: () => z.boolean().nullish().catch(undefined),
  object: () => z.record(z.string(), z.unknown()).nullish().catch(undefined),
};

/** An ISO-8601 date-time as Spec events carry them (any form Date.parse reads). */
export const isoDateTime = () =>
  z.string().refine((value) => !Number.isNaN(Date.parse(value)), { message: 'expected an ISO-8601 date-time' });

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

/** Milliseconds since the epoch of an ISO date-time already validated by `isoDateTime`. */
export function epochMs(iso: string): number {
  return Date.parse(iso);
}
