import type { z } from 'zod';

// The markers `settingSecrets` reads, set on zod settings (a destination's or a warehouse kind's):
// zod copies `meta` into the JSON Schema it emits, where the control plane, the console and the
// data plane read them back. Marker and reader live together so they cannot drift apart.

/** Marks a setting whose whole value is a credential: stored encrypted, never shown back. */
export function secret<T extends z.ZodType>(schema: T, description?: string): T {
  return schema.meta({ secret: true, writeOnly: true, ...(description ? { description } : {}) }) as T;
}

/**
 * Marks an object setting whose values are credentials and keys are not (custom headers such as
 * `Authorization: Bearer …`): each value stored encrypted and shown back as the mask, the keys shown.
 */
export function secretValues<T extends z.ZodType>(schema: T): T {
  return schema.meta({ secret: 'values' }) as T;
}
