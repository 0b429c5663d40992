import { randomBytes } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Uniformly random alphanumeric string (rejection sampling keeps every character equally likely). */
export function randomAlphanumeric(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHANUMERIC[byte % 62];
    }
  }
  return out;
}

export const newId = (prefix: 'ws' | 'src' | 'dst' | 'req' | 'flt' | 'map' | 'mdl' | 'con' | 'tp'): string =>
  `${prefix}_${randomAlphanumeric(20)}`;

/** Write keys: 32 random alphanumeric characters (about 190 bits), like Segment's. */
export const newWriteKey = (): string => randomAlphanumeric(32);
