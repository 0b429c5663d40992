import express, { type Express, type Request } from 'express';
import { z } from 'zod';
import { MIN_PASSWORD_LENGTH } from '../auth/password';
import type { SignInThrottle } from '../auth/sign-in-throttle';
import { slugSchema } from '../api/routes/workspaces';
import { adoptableWorkspaces, runFirstRun } from '../setup/first-run';
import { normalizeEmail } from '../store/accounts';
import { authenticate, SESSION_COOKIE } from './authenticate';
import type { ConsoleContext } from './context';
import { checkCsrf, checkOrigin } from './csrf';
import { HttpError } from './http-error';
import { jsonRoute, parseBody, requireJson } from './json-route';
import type { AdoptableWorkspace, AuthState } from '../api/types';
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
    /** CONSOLE_SETUP_TOKEN, when the console has one (checked before anything else). */
    setupToken: z.string().max(1000).optional(),
  })
  .superRefine((body, ctx) => {
    if (body.workspaceSlug && !body.workspaceName.trim()) {
      ctx.addIssue({ code: 'custom', path: ['workspaceName'], message: 'name the workspace' });
    }
    if (body.workspaceName.trim() && !body.workspaceSlug) {
      ctx.addIssue({ code: 'custom', path: ['workspaceSlug'], message: 'choose a slug for the workspace' });
    }
  });

/** What wrong setup tokens count as in the throttle, which counts them per address (and console-wide). */
const SETUP_TOKEN_GUESS = '(setup token)';

/**
 * With CONSOLE_SETUP_TOKEN set, first-run setup and the list of workspaces it can take over need
 * the token in the body (`setupToken`). Wrong ones are throttled as wrong passwords are: a few per
 * address, then that address waits, and a console-wide limit. The token is never logged or answered.
 */
function checkSetupToken(context: ConsoleContext, throttle: SignInThrottle, req: Request): void {
  if (!context.setupToken) return;
  const address = req.ip ?? '';
  const wait = throttle.wait(SETUP_TOKEN_GUESS, address);
  if (wait) {
    const message =
      wait.scope === 'global'
        ? `setup is paused for everyone after many wrong setup tokens: try again in ${wait.seconds} s`
        : `too many wrong setup tokens: try again in ${Math.ceil(wait.seconds / 60)} min`;
    throw new HttpError(429, 'rate_limited', message, [{ field: 'setupToken', message }], wait.seconds);
  }
  const given: unknown = (req.body as { setupToken?: unknown } | undefined)?.setupToken;
  if (given === undefined || given === '') {
    throw new HttpError(401, 'unauthenticated', 'this console asks for its setup token', [
      { field: 'setupToken', message: 'enter the setup token (CONSOLE_SETUP_TOKEN, from whoever deployed Manifold)' },
    ]);
  }
  if (!context.setupToken.matches(given)) {
    throttle.recordFailure(SETUP_TOKEN_GUESS, address);
    context.logger.warn({ address }, 'first-run setup refused: wrong setup token');
    throw new HttpError(401, 'unauthenticated', 'wrong setup token', [
      { field: 'setupToken', message: "not this console's setup token" },
    ]);
  }
  throttle.recordSuccess(SETUP_TOKEN_GUESS, address);
}

/**
 * Sessions for the web app: first-run setup, sign-out and the state the app starts from.
 * `setupThrottle` counts wrong setup tokens (apart from sign-in's wrong passwords).
 */
export function mountAuthRoutes(
  app: Express,
  context: ConsoleContext,
  sessionTtlMs: number,
  setupThrottle: SignInThrottle,
): void {
  const { stores } = context;

  app.get(
    '/auth/state',
    jsonRoute(context, async (req): Promise<AuthState> => {
      const principal = await authenticate(req, stores);
      const session = principal?.via === 'session' ? principal : undefined;
      const setupNeeded = !(await stores.accounts.firstRunDone());
      const tokenRequired = context.setupToken !== undefined;
      return {
        setupNeeded,
        user: session ? { email: session.email } : null,
        csrfToken: session ? session.session.csrfToken : null,
        // Behind a setup token, what setup could take over is shown only to whoever has the token.
        ...(setupNeeded && tokenRequired ? { setupTokenRequired: true } : {}),
        ...(setupNeeded && !tokenRequired ? { adoptable: await adoptableWorkspaces(context) } : {}),
      };
    }),
  );

  // The setup form's list of workspaces it can take over, once the setup token is typed.
  app.post(
    '/auth/setup/adoptable',
    express.json(),
    jsonRoute(context, async (req): Promise<{ adoptable: AdoptableWorkspace[] }> => {
      requireJson(req);
      checkOrigin(req, context.publicUrl);
      checkSetupToken(context, setupThrottle, req);
      return { adoptable: await adoptableWorkspaces(context) };
    }),
  );

  app.post(
    '/auth/setup',
    express.json(),
    jsonRoute(context, async (req, res) => {
      requireJson(req);
      checkOrigin(req, context.publicUrl);
      checkSetupToken(context, setupThrottle, req);
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
