import { truncate, type RequestDescriptor } from '@manifold/destination-kit';

// Dead letters are read by people and kept for days: the credentials a request carried must
// not be in them. Headers and query parameters that usually hold secrets are masked.
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|x-api-key|api-key|x-signature)$|token|secret|key/i;
const SECRET_PARAM = /secret|token|key|password|auth|signature/i;
const MASK = '[redacted]';

export interface RedactedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  bodyExcerpt?: string;
}

export function redactRequest(request: RequestDescriptor, bodyChars = 2000): RedactedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name] = SECRET_HEADER.test(name) ? MASK : value;
  return {
    method: request.method,
    url: redactUrl(request.url),
    headers,
    ...(request.body !== undefined ? { bodyExcerpt: truncate(request.body, bodyChars) } : {}),
  };
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = MASK;
    if (parsed.username) parsed.username = MASK;
    for (const name of [...parsed.searchParams.keys()]) {
      if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, MASK);
    }
    return parsed.toString();
  } catch {
    return '(invalid URL)';
  }
}
