import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { IngestionError } from './errors';

const ALLOWED_HEADERS = 'Content-Type, Authorization, X-Retry-Count, Content-Encoding';

/**
 * CORS for browsers on any site. The origin is echoed (with credentials allowed) rather than `*`
 * so that analytics.js configured with `credentials: 'include'` still works.
 */
export function corsHeaders(req: IncomingMessage): OutgoingHttpHeaders {
  const origin = req.headers.origin;
  if (!origin) return { 'access-control-allow-origin': '*' };
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    vary: 'Origin',
  };
}

/** Answers a CORS preflight: analytics.js sends `Authorization`, which always triggers one. */
export function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  const requested = req.headers['access-control-request-headers'];
  res.writeHead(204, {
    ...corsHeaders(req),
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': typeof requested === 'string' && requested ? requested : ALLOWED_HEADERS,
    'access-control-max-age': '86400',
  });
  res.end();
}

export function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: string,
  headers: OutgoingHttpHeaders = {},
): void {
  if (res.headersSent) return;
  const all = corsHeaders(req);
  for (const name in headers) all[name] = headers[name];
  all['content-type'] = 'application/json; charset=utf-8';
  all['content-length'] = Buffer.byteLength(body);
  res.writeHead(status, all);
  res.end(body);
}

export function sendError(req: IncomingMessage, res: ServerResponse, error: IngestionError): void {
  sendJson(req, res, error.status, JSON.stringify(error.body()), error.headers);
}
