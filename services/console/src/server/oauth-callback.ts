import type { Express, Response } from 'express';
import { OAUTH_CALLBACK_PATH } from '../api/routes/destination-oauth';
import { authenticate } from './authenticate';
import type { ConsoleContext } from './context';
import { sessionBinding } from './session-binding';

// Where an OAuth provider sends the browser back after the consent page: the control plane checks
// the state (single use, unexpired, started in this same session) and exchanges the code; the
// browser then lands on the destination's page, which shows it connected. A refusal is explained
// on a page of its own, and nothing is changed.

export function mountOAuthCallback(app: Express, context: ConsoleContext): void {
  app.get(OAUTH_CALLBACK_PATH, async (req, res) => {
    const query = req.query as Record<string, unknown>;
    const text = (name: string) => (typeof query[name] === 'string' ? query[name] : '');
    try {
      const principal = await authenticate(req, context.stores);
      if (principal?.via !== 'session') {
        return problem(res, 401, 'Sign in to the console, then connect the destination again.');
      }
      const done = await context.controlPlane.oauth.completeOAuthConnection(
        {
          state: text('state'),
          code: text('code'),
          error: text('error'),
          sessionBinding: sessionBinding(principal.sessionId),
        },
        { actor: principal.email },
      );
      const workspace = await context.controlPlane.workspaces.getWorkspace(
        { workspace: done.workspaceId },
        { actor: principal.email },
      );
      res.redirect(
        303,
        `/${encodeURIComponent(workspace.slug)}/destinations/${encodeURIComponent(done.destinationId)}`,
      );
    } catch (error) {
      const details = (error as { details?: unknown }).details;
      context.logger.warn({ reason: details }, 'OAuth callback refused');
      problem(res, 400, typeof details === 'string' && details ? details : 'The connection could not be made.');
    }
  });
}

function problem(res: Response, status: number, message: string): void {
  res
    .status(status)
    .type('html')
    .send(
      `<!doctype html><html><head><meta charset="utf-8"><title>Connection not made</title></head>` +
        `<body><main><h1>Connection not made</h1><p role="alert">${escapeHtml(message)}</p>` +
        `<p><a href="/">Back to the console</a></p></main></body></html>`,
    );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
