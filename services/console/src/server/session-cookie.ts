import type { Request, Response } from 'express';
import { SESSION_COOKIE } from './authenticate';
import type { AdoptableWorkspace } from '../setup/first-run';
import type { ConsoleContext } from './context';

/** What the web app starts from: the user, the session's CSRF token, and whether first-run setup is due. */
export interface AuthState {
  user: { email: string } | null;
  csrfToken: string | null;
  setupNeeded: boolean;
  /** While setup is due: workspaces made outside the console that the first owner can take over. */
  adoptable?: AdoptableWorkspace[];
}

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
