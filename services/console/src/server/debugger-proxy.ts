import type { Express, Request, Response } from 'express';
import { request } from 'undici';
import { authorizeWorkspace } from '../api/access';
import { sendError } from '../api/mount';
import { requirePrincipal } from './authenticate';
import type { ConsoleContext } from './context';
import { HttpError } from './http-error';

/** Recent events a mapping editor reads at most (its field suggestions and the tester's picks). */
const RECENT_EVENTS_MAX = 200;

/**
 * The ingestion's debugger URL for one source after checking the caller may read the source, so
 * the browser never holds the ingestion's admin token.
 */
async function upstreamFor(req: Request, context: ConsoleContext, tail: string): Promise<URL> {
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
  return new URL(`/debugger/sources/${encodeURIComponent(source.id)}/${tail}`, context.ingestionUrl);
}

/**
 * `?limit=`: how many recent events to answer, 50 when absent, at most RECENT_EVENTS_MAX. Anything
 * but one whole number from 1 is refused, naming the parameter, rather than read as the default.
 */
function recentEventsLimit(asked: unknown): number {
  if (asked === undefined) return 50;
  const limit = typeof asked === 'string' && /^[0-9]+$/.test(asked) ? Number(asked) : 0;
  if (limit < 1) {
    throw new HttpError(400, 'invalid_argument', 'limit: give one whole number from 1', [
      { field: 'limit', message: `give one whole number from 1 (at most ${RECENT_EVENTS_MAX} are answered)` },
    ]);
  }
  return Math.min(limit, RECENT_EVENTS_MAX);
}

function unreachable(context: ConsoleContext, error: unknown): never {
  context.logger.warn({ err: error }, 'ingestion debugger unreachable');
  throw new HttpError(503, 'unavailable', 'the ingestion service is not reachable for the live debugger');
}

/**
 * The live debugger: the ingestion's Server-Sent Events for one source relayed (the Source page),
 * and its most recent events as JSON (`?limit=`, newest last; the mapping editor's event paths
 * and the mapping tester's picks).
 */
export function mountDebuggerProxy(app: Express, context: ConsoleContext): void {
  app.get('/api/v1/workspaces/:workspace/sources/:source/debugger/events', async (req: Request, res: Response) => {
    try {
      const url = await upstreamFor(req, context, 'events');
      url.searchParams.set('limit', String(recentEventsLimit(req.query['limit'])));
      const upstream = await request(url, {
        method: 'GET',
        headers: { authorization: `Bearer ${context.ingestionAdminToken}`, accept: 'application/json' },
        headersTimeout: 10000,
        bodyTimeout: 10000,
      }).catch((error: unknown) => unreachable(context, error));
      if (upstream.statusCode !== 200) {
        await upstream.body.dump();
        throw new HttpError(502, 'unavailable', `the ingestion debugger answered ${upstream.statusCode}`);
      }
      const { events } = (await upstream.body.json()) as { events: unknown[] };
      res.setHeader('cache-control', 'no-store');
      res.json({ events });
    } catch (error) {
      sendError(res, error, context);
    }
  });

  app.get('/api/v1/workspaces/:workspace/sources/:source/debugger', async (req: Request, res: Response) => {
    const aborted = new AbortController();
    req.on('close', () => aborted.abort());
    try {
      const upstreamUrl = await upstreamFor(req, context, 'stream');
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
        return unreachable(context, error);
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
