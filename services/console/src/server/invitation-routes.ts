import express, { type Express } from 'express';
import { z } from 'zod';
import type { InvitationDetails } from '../api/types';
import { MIN_PASSWORD_LENGTH } from '../auth/password';
import { acceptInvitation, findInvitation } from '../invitations/accept';
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

/**
 * The invitation page's calls. The token travels in JSON bodies only (the page reads it from the
 * link's fragment), so it appears in no URL, log or Referer.
 */
export function mountInvitationRoutes(app: Express, context: ConsoleContext, sessionTtlMs: number): void {
  app.post(
    '/auth/invitations/lookup',
    express.json(),
    jsonRoute(context, async (req): Promise<InvitationDetails> => {
      requireJson(req);
      checkOrigin(req, context.publicUrl);
      const { invitation, workspace, accountExists } = await findInvitation(
        context,
        parseBody(tokenBody, req.body).token,
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
      context.logger.info({ email: invitation.email, workspace: workspace.slug }, 'invitation accepted, account made');
      res.status(201);
      return { ...(await startSession(context, sessionTtlMs, req, res, invitation.email)), workspace: workspace.slug };
    }),
  );
}
