import type { Request, Response } from 'express';
import { SESSION_COOKIE } from './authenticate';
import type { AuthState } from '../api/types';
import type { ConsoleContext } from './context';

/** Starts a session for `email` and sets its cookie (HttpOnly, SameSite=Lax, Secure over https). */
export async function startSession(
  context: ConsoleContext,
  sessionTtlMs: number,
  req: Request,
  res: Response,
  email: string,
): Promise<AuthState> {
  const { id, session } = await context.stores.sessions.create(email);
  res.cookie(SESSION_COOKIE, id, {
    httpOnly: true,
    sameSite: 'lax',
    secure: req.secure || context.publicUrl?.startsWith('https:') === true,
    path: '/',
    maxAge: sessionTtlMs,
  });
  return { user: { email }, csrfToken: session.csrfToken, setupNeeded: false };
}
