import express, { type Express } from 'express';
import { z } from 'zod';
import { MIN_PASSWORD_LENGTH } from '../auth/password';
import { slugSchema } from '../api/routes/workspaces';
import { normalizeEmail } from '../store/accounts';
import { authenticate, SESSION_COOKIE } from './authenticate';
import type { ConsoleContext } from './context';
import { checkCsrf, checkOrigin } from './csrf';
import { HttpError } from './http-error';
import { jsonRoute, parseBody, requireJson } from './json-route';
import { startSession, type AuthState } from './session-cookie';

const setupBody = z.object({
  email: z.email('enter an email address'),
  password: z.string().min(MIN_PASSWORD_LENGTH, `use at least ${MIN_PASSWORD_LENGTH} characters`),
  workspaceName: z.string().min(1, 'name the workspace').max(100),
  workspaceSlug: slugSchema,
});

/** Sessions for the web app: first-run setup, sign-out and the state the app starts from. */
export function mountAuthRoutes(app: Express, context: ConsoleContext, sessionTtlMs: number): void {
  const { stores } = context;

  app.get(
    '/auth/state',
    jsonRoute(context, async (req): Promise<AuthState> => {
      const principal = await authenticate(req, stores);
      const session = principal?.via === 'session' ? principal : undefined;
      return {
        setupNeeded: !(await stores.accounts.firstRunDone()),
        user: session ? { email: session.email } : null,
        csrfToken: session ? session.session.csrfToken : null,
      };
    }),
  );

  app.post(
    '/auth/setup',
    express.json(),
    jsonRoute(context, async (req, res) => {
      requireJson(req);
      checkOrigin(req, context.publicUrl);
      const body = parseBody(setupBody, req.body);
      const email = normalizeEmail(body.email);
      if (!(await stores.accounts.claimFirstRun(email))) {
        throw new HttpError(409, 'already_exists', 'this console is set up already: sign in instead');
      }
      try {
        await context.controlPlane.workspaces.createWorkspace(
          {
            slug: body.workspaceSlug,
            name: body.workspaceName,
            ownerEmail: email,
            members: [{ email, role: 'owner' }],
          },
          { actor: email },
        );
        await stores.accounts.create(email, body.password);
      } catch (error) {
        await stores.accounts.releaseFirstRun();
        throw error;
      }
      context.logger.info({ email, workspace: body.workspaceSlug }, 'first owner set up');
      res.status(201);
      return { ...(await startSession(context, sessionTtlMs, req, res, email)), workspace: body.workspaceSlug };
    }),
  );

  app.post(
    '/auth/signout',
    jsonRoute(context, async (req, res): Promise<AuthState> => {
      const principal = await authenticate(req, stores);
      if (principal?.via === 'session') {
        checkCsrf(req, principal.session.csrfToken, context.publicUrl);
        await stores.sessions.delete(principal.sessionId);
      }
      res.clearCookie(SESSION_COOKIE, { path: '/' });
      return { user: null, csrfToken: null, setupNeeded: false };
    }),
  );
}
