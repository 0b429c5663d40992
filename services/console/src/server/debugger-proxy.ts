import type { Express, Request, Response } from 'express';
import { request } from 'undici';
import { authorizeWorkspace } from '../api/access';
import { sendError } from '../api/mount';
import { requirePrincipal } from './authenticate';
import type { ConsoleContext } from './context';
import { HttpError } from './http-error';

/**
 * The Source page's live debugger: relays the ingestion's Server-Sent Events for one source after
 * checking the caller may read it, so the browser never holds the ingestion's admin token.
 */
export function mountDebuggerProxy(app: Express, context: ConsoleContext): void {
  app.get('/api/v1/workspaces/:workspace/sources/:source/debugger', async (req: Request, res: Response) => {
    const aborted = new AbortController();
    req.on('close', () => aborted.abort());
    try {
      const principal = await requirePrincipal(req, context.stores);
      const { workspace } = await authorizeWorkspace(
        context.controlPlane,
        String(req.params['workspace']),
        principal.email,
        'read',
      );
      const source = await context.controlPlane.sources.getSource(
        { workspace: workspace.id, source: String(req.params['source']) },
        { actor: principal.email },
      );
      if (!context.ingestionAdminToken) {
        throw new HttpError(503, 'unavailable', 'the live debugger is off: INGESTION_ADMIN_TOKEN is not set');
      }
      const upstreamUrl = new URL(`/debugger/sources/${encodeURIComponent(source.id)}/stream`, context.ingestionUrl);
      const lastEventId = req.headers['last-event-id'];
      const upstream = await request(upstreamUrl, {
        method: 'GET',
        headers: {
          authorization: `Bearer ${context.ingestionAdminToken}`,
          accept: 'text/event-stream',
          ...(typeof lastEventId === 'string' ? { 'last-event-id': lastEventId } : {}),
        },
        signal: aborted.signal,
        // The stream stays open while the page is; only the connection attempt is timed.
        headersTimeout: 10000,
        bodyTimeout: 0,
      }).catch((error: unknown) => {
        if (aborted.signal.aborted) return undefined;
        context.logger.warn({ err: error }, 'ingestion debugger unreachable');
        throw new HttpError(503, 'unavailable', 'the ingestion service is not reachable for the live debugger');
      });
      if (!upstream) return;
      if (upstream.statusCode !== 200) {
        await upstream.body.dump();
        throw new HttpError(502, 'unavailable', `the ingestion debugger answered ${upstream.statusCode}`);
      }
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.flushHeaders();
      upstream.body.on('data', (chunk: Buffer) => res.write(chunk));
      upstream.body.on('end', () => res.end());
      upstream.body.on('error', () => res.end());
    } catch (error) {
      if (res.headersSent) res.end();
      else sendError(res, error, context);
    }
  });
}
