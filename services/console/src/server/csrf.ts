import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { HttpError } from './http-error';

export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isUnsafe(req: Request): boolean {
  return !SAFE_METHODS.has(req.method);
}

/** The origin browsers use for this console: PUBLIC_URL when set, else the request's own. */
export function expectedOrigin(req: Request, publicUrl: string | undefined): string {
  if (publicUrl) return new URL(publicUrl).origin;
  return `${req.protocol}://${req.headers.host ?? ''}`;
}

/**
 * Refuses a cross-site request: a browser always sends Origin on unsafe requests it makes for
 * another site, so a present Origin must be ours. Requests without it (curl, old browsers on
 * same-origin GETs) are judged by the CSRF token alone.
 */
export function checkOrigin(req: Request, publicUrl: string | undefined): void {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== expectedOrigin(req, publicUrl)) {
    throw new HttpError(403, 'csrf', `requests from ${origin} are not accepted`);
  }
}

/** Session-authenticated writes must echo the session's CSRF token in a header (synchronizer token). */
export function checkCsrf(req: Request, csrfToken: string, publicUrl: string | undefined): void {
  checkOrigin(req, publicUrl);
  const sent = req.headers[CSRF_HEADER];
  const given = Buffer.from(typeof sent === 'string' ? sent : '');
  const expected = Buffer.from(csrfToken);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new HttpError(403, 'csrf', `missing or wrong ${CSRF_HEADER} header; reload the page`);
  }
}
