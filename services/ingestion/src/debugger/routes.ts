import { timingSafeEqual } from 'node:crypto';
import { Router, type Request, type Response, type NextFunction } from 'express';
import { IngestionError } from '../http/errors';
import type { DebuggerEntry, DebuggerView } from './live-debugger';

export interface DebuggerRoutesOptions {
  liveDebugger: DebuggerView;
  /** The console's service token (`Authorization: Bearer <token>`); unset: the debugger is off. */
  adminToken: string | undefined;
  /** How often an idle stream sends a comment, so proxies do not close it (ms). */
  heartbeatMs?: number;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Debugger data is event data, so only the console, which checks the user's session and role in
 * the workspace first, may read it: with its service token (`Authorization: Bearer <token>`).
 * A source's write key does not open it: write keys are public (every page with the snippet
 * shows one), and with one any website could read the source's live traffic.
 */
function authorize(options: DebuggerRoutesOptions) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const authorization = req.headers.authorization;
    if (options.adminToken && authorization?.toLowerCase().startsWith('bearer ')) {
      if (sameSecret(authorization.slice(7).trim(), options.adminToken)) return next();
    }
    const message = options.adminToken
      ? "the debugger is read through the console; it needs the console's service token (Bearer)"
      : 'the debugger is off: INGESTION_ADMIN_TOKEN is not set';
    next(new IngestionError(401, 'unauthorized', message, { 'www-authenticate': 'Bearer realm="manifold-debugger"' }));
  };
}

function positiveInt(value: unknown, fallback: number): number {
  const n = typeof value === 'string' ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 0 ? n : fallback;
}

/** Where the debugger's routes live. */
export const DEBUGGER_PATH = '/debugger/';

/** `GET /debugger/sources/:sourceId/events` (recent) and `.../stream` (Server-Sent Events). */
export function debuggerRoutes(options: DebuggerRoutesOptions): { router: Router; closeStreams(): void } {
  const router = Router();
  const open = new Set<() => void>();
  const { liveDebugger } = options;
  const heartbeatMs = options.heartbeatMs ?? 15000;

  router.get('/debugger/sources/:sourceId/events', authorize(options), async (req, res) => {
    const sourceId = String(req.params['sourceId']);
    const limit = positiveInt(req.query['limit'], Number.MAX_SAFE_INTEGER);
    const after = positiveInt(req.query['after'], 0);
    res.json({ sourceId, events: await liveDebugger.recent(sourceId, limit, after) });
  });

  router.get('/debugger/sources/:sourceId/stream', authorize(options), async (req, res) => {
    const sourceId = String(req.params['sourceId']);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // Stops nginx-style proxies from holding the stream back.
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    const write = (entry: DebuggerEntry): void => {
      res.write(`id: ${entry.seq}\nevent: ${entry.status}\ndata: ${JSON.stringify(entry)}\n\n`);
    };
    // A new viewer first gets the buffered events (`?recent=N` for fewer); a reconnecting
    // EventSource sends Last-Event-ID and gets only what it missed.
    const after = positiveInt(req.headers['last-event-id'] ?? req.query['after'], 0);
    // Subscribed before the backlog is read, so nothing falls between the two; what arrives
    // meanwhile is written after the backlog, without the entries the backlog already had.
    const early: DebuggerEntry[] = [];
    let live: (entry: DebuggerEntry) => void = (entry) => early.push(entry);
    const unsubscribe = liveDebugger.subscribe(sourceId, (entry) => live(entry));
    const backlog = await (after > 0
      ? liveDebugger.recent(sourceId, Number.MAX_SAFE_INTEGER, after)
      : liveDebugger.recent(sourceId, positiveInt(req.query['recent'], Number.MAX_SAFE_INTEGER)));
    if (res.closed) return unsubscribe();
    for (const entry of backlog) write(entry);
    const lastSeq = backlog.at(-1)?.seq ?? after;
    res.write(': connected\n\n');
    for (const entry of early) if (entry.seq > lastSeq) write(entry);
    live = write;
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
    const close = (): void => {
      clearInterval(heartbeat);
      unsubscribe();
      open.delete(end);
    };
    const end = (): void => {
      close();
      res.end();
    };
    open.add(end);
    req.on('close', close);
    res.on('error', close);
  });

  return {
    router,
    // Streams never end on their own; shutdown ends them so the server can close.
    closeStreams: () => {
      for (const end of [...open]) end();
    },
  };
}
