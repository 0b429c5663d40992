import { z } from 'zod';

/** An optional string: null, missing and "" (Spec events carry `userId: null`) all read as absent. */
export const optionalText = () =>
  z
    .string()
    .nullish()
    .transform((value) => (value ? value : undefined));
