import {
  classifyHttpResponse,
  headerValue,
  type DeliveryOutcome,
  type HttpResponseInfo,
  type RequestDescriptor,
} from '@manifold/destination-kit';

/**
 * Intercom's answers the generic way, except: a 409 to POST /contacts means the contact exists
 * but the search index has not caught up (Segment retries it), and `X-RateLimit-Reset` is the
 * epoch second the limit resets, not a number of seconds to wait.
 */
export function classifyIntercomResponse(
  response: HttpResponseInfo,
  request: RequestDescriptor,
  now = Date.now(),
): DeliveryOutcome {
  if (response.status === 409 && request.method === 'POST' && new URL(request.url).pathname.endsWith('/contacts')) {
    return { kind: 'retry', reason: 'HTTP 409: contact exists but is not searchable yet', status: 409 };
  }
  const outcome = classifyHttpResponse(response, now);
  if (outcome.kind !== 'retry' || headerValue(response.headers, 'retry-after')) return outcome;
  const reset = Number(headerValue(response.headers, 'x-ratelimit-reset'));
  if (!Number.isFinite(reset) || reset < 1e9) return outcome;
  return { ...outcome, retryAfterMs: Math.max(0, reset * 1000 - now) };
}
