import { z } from 'zod';

/** An optional object (relationship attributes, …): null reads as absent. */
export const optionalObject = () =>
  z
    .record(z.string(), z.unknown())
    .nullish()
    .transform((value) => value ?? undefined);

/** An optional id that may be a number (object ids): null reads as absent. */
export const optionalKey = () =>
  z
    .union([z.string().min(1), z.number()])
    .nullish()
    .transform((value) => value ?? undefined);

/** An optional date: ISO string or Unix seconds; null reads as absent. */
export const optionalDate = () =>
  z
    .union([z.string(), z.number()])
    .nullish()
    .transform((value) => value ?? undefined);
