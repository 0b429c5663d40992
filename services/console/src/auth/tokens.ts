import { createHash, randomBytes } from 'node:crypto';

/** A random secret for session ids, CSRF tokens and API tokens. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Secrets are stored only as their SHA-256, so a database dump cannot be replayed. */
export function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** API tokens carry a recognisable prefix so they can be found in logs and secret scanners. */
export const API_TOKEN_PREFIX = 'mfd_';
