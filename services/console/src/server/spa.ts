import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Express, Request, Response } from 'express';
import { sendCompressed, type CompressedBody } from '@manifold/compression';
import { authorizeWorkspace } from '../api/access';
import { authenticate } from './authenticate';
import type { ConsoleContext } from './context';
import { HttpError } from './http-error';
import { WebFiles } from './web-files';

/** Top-level paths that are not workspace slugs. */
const APP_PATHS = new Set(['', 'signin', 'setup', 'invite', 'workspaces', 'account']);

const NOT_BUILT: CompressedBody = {
  identity: Buffer.from('<!doctype html><title>Manifold</title><p>The console web app is not built.</p>'),
};

/**
 * Serves the built web app, compressed: hashed assets cached for good, and index.html for every page. Pages of a
 * workspace are authorized here too: signed out goes to sign-in, and a user outside the workspace
 * gets a 404 status (the app then shows its not-found page).
 */
export function mountWebApp(app: Express, context: ConsoleContext, webRoot: string): void {
  if (!existsSync(join(webRoot, 'index.html'))) {
    context.logger.warn({ webRoot }, 'web app not built: run `pnpm --filter @manifold/console build:web`');
  }
  const files = new WebFiles(webRoot);

  // Names carry a content hash, so a file never changes under its name: cached for good.
  app.get('/assets/:file', async (req: Request, res: Response) => {
    const name = String(req.params['file']);
    const file = await files.asset(name);
    if (!file) return res.status(404).set('cache-control', 'no-store').type('text').send('not found');
    res.set('cache-control', 'public, max-age=31536000, immutable').type(extname(name));
    sendCompressed(req, res, file);
  });
  app.get('/favicon.svg', async (req: Request, res: Response) => {
    const file = await files.root('favicon.svg');
    if (!file) return res.status(404).end();
    res.set('cache-control', 'public, max-age=86400').type('svg');
    sendCompressed(req, res, file);
  });

  // index.html names the current assets, so browsers check it on every load (ETag: 304 when unchanged).
  const sendIndex = async (req: Request, res: Response, status: number) => {
    const file = (await files.root('index.html')) ?? NOT_BUILT;
    res.status(status).set('cache-control', 'no-cache').type('html');
    sendCompressed(req, res, file);
  };

  app.get(/^\/(?!api\/|auth\/|assets\/).*/, async (req: Request, res: Response) => {
    const first = req.path.split('/')[1] ?? '';
    if (APP_PATHS.has(first)) return sendIndex(req, res, 200);
    try {
      const principal = await authenticate(req, context.stores);
      if (!principal) {
        return res.redirect(302, `/signin?next=${encodeURIComponent(req.originalUrl)}`);
      }
      await authorizeWorkspace(context.controlPlane, decodeURIComponent(first), principal.email, 'read');
      return sendIndex(req, res, 200);
    } catch (error) {
      if (error instanceof HttpError && (error.status === 404 || error.status === 401)) return sendIndex(req, res, 404);
      context.logger.warn({ err: error }, 'page authorization failed');
      return sendIndex(req, res, 503);
    }
  });
}
