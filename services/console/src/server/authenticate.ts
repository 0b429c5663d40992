import type { Request } from 'express';
import { parseCookie } from 'cookie';
import type { Session } from '../store/sessions';
import type { ConsoleStores } from './stores';
import { HttpError } from './http-error';

export const SESSION_COOKIE = 'manifold_session';

export type Principal =
  { via: 'session'; email: string; sessionId: string; session: Session } | { via: 'token'; email: string };

export function sessionIdOf(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  return parseCookie(header)[SESSION_COOKIE] || undefined;
}

/**
 * The caller: a bearer API token when one is sent (no cookies are looked at then, so tokens
 * need no CSRF defence), else the session cookie. Undefined when neither is valid.
 */
export async function authenticate(req: Request, stores: ConsoleStores): Promise<Principal | undefined> {
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) throw new HttpError(401, 'unauthenticated', 'use Authorization: Bearer <API token>');
    const email = await stores.apiTokens.authenticate(match[1]!);
    if (!email) throw new HttpError(401, 'unauthenticated', 'the API token is not valid (revoked or mistyped)');
    return { via: 'token', email };
  }
  const sessionId = sessionIdOf(req);
  if (!sessionId) return undefined;
  const session = await stores.sessions.find(sessionId);
  return session ? { via: 'session', email: session.email, sessionId, session } : undefined;
}

export async function requirePrincipal(req: Request, stores: ConsoleStores): Promise<Principal> {
  const principal = await authenticate(req, stores);
  if (!principal) throw new HttpError(401, 'unauthenticated', 'sign in, or send an API token');
  return principal;
}
