import type { RequestDescriptor } from '@manifold/destination-kit';

/** Redirects followed per request, as Segment does. */
export const MAX_REDIRECTIONS = 3;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Headers that must not follow a redirect to another origin (credentials of the first one). */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

/**
 * The request to send after a redirect answer, or undefined when the answer is not one to follow.
 * A 307 or 308 keeps the method and body; a 303, and a 301 or 302 to a POST, become a GET without
 * a body (what browsers and undici do). Credentials are not sent to another origin.
 */
export function redirectedRequest(
  descriptor: RequestDescriptor,
  from: URL,
  status: number,
  location: string | string[] | undefined,
): RequestDescriptor | undefined {
  if (!REDIRECT_STATUSES.has(status) || typeof location !== 'string' || location === '') return undefined;
  let to: URL;
  try {
    to = new URL(location, from);
  } catch {
    return undefined;
  }
  const toGet = status === 303 || ((status === 301 || status === 302) && descriptor.method === 'POST');
  const crossOrigin = to.origin !== from.origin;
  const headers: Record<string, string> = {};
  // Descriptor header names are lower case.
  for (const [name, value] of Object.entries(descriptor.headers)) {
    if (name === 'host' || (toGet && name.startsWith('content-')) || (crossOrigin && CREDENTIAL_HEADERS.has(name))) {
      continue;
    }
    headers[name] = value;
  }
  return {
    method: toGet ? 'GET' : descriptor.method,
    url: to.href,
    headers,
    ...(toGet || descriptor.body === undefined ? {} : { body: descriptor.body }),
  };
}
