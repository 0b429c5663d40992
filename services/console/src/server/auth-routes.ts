import express, { type Express } from 'express';
import { z } from 'zod';
import { MIN_PASSWORD_LENGTH } from '../auth/password';
import { slugSchema } from '../api/routes/workspaces';
import { adoptableWorkspaces, runFirstRun } from '../setup/first-run';
import { normalizeEmail } from '../store/accounts';
import { authenticate, SESSION_COOKIE } from './authenticate';
import type { ConsoleContext } from './context';
import { checkCsrf, checkOrigin } from './csrf';
import { jsonRoute, parseBody, requireJson } from './json-route';
import type { AuthState } from '../api/types';
import { startSession } from './session-cookie';

const setupBody = z
  .object({
    email: z.email('enter an email address'),
    password: z.string().min(MIN_PASSWORD_LENGTH, `use at least ${MIN_PASSWORD_LENGTH} characters`),
    // Both empty when the first owner only takes over existing workspaces.
    workspaceName: z.string().max(100).default(''),
    workspaceSlug: z.union([z.literal(''), slugSchema]).default(''),
    /** Slugs of workspaces made outside the console to take over. */
    adopt: z.array(z.string()).max(100).default([]),
  })
  .superRefine((body, ctx) => {
    if (body.workspaceSlug && !body.workspaceName.trim()) {
      ctx.addIssue({ code: 'custom', path: ['workspaceName'], message: 'name the workspace' });
    }
    if (body.workspaceName.trim() && !body.workspaceSlug) {
      ctx.addIssue({ code: 'custom', path: ['workspaceSlug'], message: 'choose a slug for the workspace' });
    }
  });

/** Sessions for the web app: first-run setup, sign-out and the state the app starts from. */
export function mountAuthRoutes(app: Express, context: ConsoleContext, sessionTtlMs: number): void {
  const { stores } = context;

  app.get(
    '/auth/state',
    jsonRoute(context, async (req): Promise<AuthState> => {
      const principal = await authenticate(req, stores);
      const session = principal?.via === 'session' ? principal : undefined;
      const setupNeeded = !(await stores.accounts.firstRunDone());
      return {
        setupNeeded,
        user: session ? { email: session.email } : null,
        csrfToken: session ? session.session.csrfToken : null,
        ...(setupNeeded ? { adoptable: await adoptableWorkspaces(context) } : {}),
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
      const workspace = await runFirstRun(context, {
        email,
        password: body.password,
        newWorkspace: body.workspaceSlug ? { slug: body.workspaceSlug, name: body.workspaceName.trim() } : undefined,
        adopt: body.adopt,
      });
      res.status(201);
      return { ...(await startSession(context, sessionTtlMs, req, res, email)), workspace };
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
