import express, { type Express, type Request } from 'express';
import { z } from 'zod';
import type { InvitationDetails } from '../api/types';
import { MIN_PASSWORD_LENGTH } from '../auth/password';
import { SignInThrottle } from '../auth/sign-in-throttle';
import { acceptInvitation, findInvitation } from '../invitations/accept';
import { invitationClock, RateLimitedError, waitInWords, WRONG_LINK_LIMITS } from '../invitations/invitation-limits';
import { authenticate } from './authenticate';
import type { ConsoleContext } from './context';
import { checkCsrf, checkOrigin } from './csrf';
import { HttpError } from './http-error';
import { jsonRoute, parseBody, requireJson } from './json-route';
import type { AuthState } from '../api/types';
import { startSession } from './session-cookie';

const tokenBody = z.object({ token: z.string().min(1, 'the link has no invitation token') });
const acceptBody = tokenBody.extend({
  password: z.string().min(MIN_PASSWORD_LENGTH, `use at least ${MIN_PASSWORD_LENGTH} characters`).optional(),
});

/** What links that match no usable invitation count as in the throttle, which counts them per address. */
const WRONG_LINK = '(invitation link)';

/**
 * Runs `use` unless this address tried too many links that do not work lately (429 with
 * Retry-After); a link that matches no usable invitation (404) counts. Right links (even expired or
 * used ones) reset nothing, so a valid link of one's own cannot clear the count.
 */
async function guardLinks<T>(throttle: SignInThrottle, req: Request, use: () => Promise<T>): Promise<T> {
  const address = req.ip ?? '';
  const wait = throttle.wait(WRONG_LINK, address);
  if (wait) {
    throw new RateLimitedError(
      `too many invitation links that do not work were tried from your address: try again in ${waitInWords(wait.seconds)}`,
      wait.seconds,
    );
  }
  try {
    return await use();
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) throttle.recordFailure(WRONG_LINK, address);
    throw error;
  }
}

/**
 * The invitation page's calls. The token travels in JSON bodies only (the page reads it from the
 * link's fragment), so it appears in no URL, log or Referer. Links that do not work are throttled
 * per address (WRONG_LINK_LIMITS, in memory, per replica).
 */
export function mountInvitationRoutes(app: Express, context: ConsoleContext, sessionTtlMs: number): void {
  const links = new SignInThrottle(WRONG_LINK_LIMITS, invitationClock);

  app.post(
    '/auth/invitations/lookup',
    express.json(),
    jsonRoute(context, async (req): Promise<InvitationDetails> => {
      requireJson(req);
      checkOrigin(req, context.publicUrl);
      const { token } = parseBody(tokenBody, req.body);
      const { invitation, workspace, accountExists } = await guardLinks(links, req, () =>
        findInvitation(context, token),
      );
      return {
        email: invitation.email,
        role: invitation.role,
        invitedBy: invitation.invitedBy,
        expiresAt: invitation.expiresAt.toISOString(),
        workspace: { slug: workspace.slug, name: workspace.name },
        accountExists,
      };
    }),
  );

  app.post(
    '/auth/invitations/accept',
    express.json(),
    jsonRoute(context, async (req, res) => {
      requireJson(req);
      checkOrigin(req, context.publicUrl);
      const body = parseBody(acceptBody, req.body);
      return guardLinks(links, req, async () => {
        const principal = await authenticate(req, context.stores);
        if (principal?.via === 'token') {
          throw new HttpError(403, 'forbidden', 'accept invitations in the console, not with an API token');
        }
        if (principal) {
          checkCsrf(req, principal.session.csrfToken, context.publicUrl);
          if (body.password !== undefined) {
            throw new HttpError(400, 'invalid_argument', 'you are signed in: accept without a password', [
              { field: 'password', message: 'not needed when signed in' },
            ]);
          }
          const { workspace } = await acceptInvitation(context, body.token, {
            kind: 'signed-in',
            email: principal.email,
          });
          context.logger.info({ email: principal.email, workspace: workspace.slug }, 'invitation accepted');
          const state: AuthState = {
            user: { email: principal.email },
            csrfToken: principal.session.csrfToken,
            setupNeeded: false,
          };
          return { ...state, workspace: workspace.slug };
        }
        if (body.password === undefined) {
          throw new HttpError(400, 'invalid_argument', 'choose a password for your new account', [
            { field: 'password', message: 'choose a password' },
          ]);
        }
        const { invitation, workspace } = await acceptInvitation(context, body.token, {
          kind: 'new-account',
          password: body.password,
        });
        context.logger.info(
          { email: invitation.email, workspace: workspace.slug },
          'invitation accepted, account made',
        );
        res.status(201);
        return {
          ...(await startSession(context, sessionTtlMs, req, res, invitation.email)),
          workspace: workspace.slug,
        };
      });
    }),
  );
}
