import { z } from 'zod';

/** An optional string: null, missing and "" (Spec events carry `userId: null`) all read as absent. */
export const optionalText = () =>
  z
    .string()
    .nullish()
    .transform((value) => (value ? value : undefined));

/** An optional number: null and missing read as absent. */
export const optionalNumber = () =>
  z
    .number()
    .nullish()
    .transform((value) => value ?? undefined);

/** An optional date (ISO-8601 text or Unix seconds) as Unix seconds, the unit of every Intercom time. */
export const optionalUnixSeconds = () =>
  z
    .union([z.string(), z.number()])
    .nullish()
    .transform((value, context) => {
      if (value === null || value === undefined || value === '') return undefined;
      if (typeof value === 'number') return Math.floor(value);
      if (/^\d+$/.test(value)) return Number(value);
      const ms = Date.parse(value);
      if (Number.isNaN(ms)) {
        context.addIssue({ code: 'custom', message: `not a date: ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      return Math.floor(ms / 1000);
    });
