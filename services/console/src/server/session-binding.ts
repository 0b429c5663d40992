import { createHash } from 'node:crypto';

/**
 * What binds an OAuth connection in progress to the browser session that started it: a hash of
 * the session id (the id itself, a bearer credential, never leaves the console).
 */
export function sessionBinding(sessionId: string): string {
  return createHash('sha256').update('manifold oauth session').update(sessionId).digest('base64url');
}
