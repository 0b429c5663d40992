import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express, type Request, type Response } from 'express';
import { authorizeWorkspace } from '../api/access';
import { authenticate } from './authenticate';
import type { ConsoleContext } from './context';
import { HttpError } from './http-error';

/** Top-level paths that are not workspace slugs. */
const APP_PATHS = new Set(['', 'signin', 'setup', 'invite', 'workspaces', 'account']);

/**
 * Serves the built web app: hashed assets for good, and index.html for every page. Pages of a
 * workspace are authorized here too: signed out goes to sign-in, and a user outside the workspace
 * gets a 404 status (the app then shows its not-found page).
 */
export function mountWebApp(app: Express, context: ConsoleContext, webRoot: string): void {
  const indexFile = join(webRoot, 'index.html');
  if (!existsSync(indexFile)) {
    context.logger.warn({ webRoot }, 'web app not built: run `pnpm --filter @manifold/console build:web`');
  }
  app.use('/assets', express.static(join(webRoot, 'assets'), { immutable: true, maxAge: '1y', fallthrough: false }));
  app.get('/favicon.svg', express.static(webRoot));

  let cachedIndex: string | undefined;
  const index = (): string => {
    cachedIndex ??= existsSync(indexFile)
      ? readFileSync(indexFile, 'utf8')
      : '<!doctype html><title>Manifold</title><p>The console web app is not built.</p>';
    return cachedIndex;
  };
  const sendIndex = (res: Response, status: number) =>
    res.status(status).set('cache-control', 'no-store').type('html').send(index());

  app.get(/^\/(?!api\/|auth\/|assets\/).*/, async (req: Request, res: Response) => {
    const first = req.path.split('/')[1] ?? '';
    if (APP_PATHS.has(first)) return sendIndex(res, 200);
    try {
      const principal = await authenticate(req, context.stores);
      if (!principal) {
        return res.redirect(302, `/signin?next=${encodeURIComponent(req.originalUrl)}`);
      }
      await authorizeWorkspace(context.controlPlane, decodeURIComponent(first), principal.email, 'read');
      return sendIndex(res, 200);
    } catch (error) {
      if (error instanceof HttpError && (error.status === 404 || error.status === 401)) return sendIndex(res, 404);
      context.logger.warn({ err: error }, 'page authorization failed');
      return sendIndex(res, 503);
    }
  });
}
