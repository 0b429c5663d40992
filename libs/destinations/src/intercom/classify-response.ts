import {
  classifyHttpResponse,
  headerValue,
  type DeliveryOutcome,
  type HttpResponseInfo,
  type RequestDescriptor,
} from '@manifold/destination-kit';

/**
 * Intercom's answers the generic way, except: a 409 to POST /contacts means the contact exists
 * but the search index has not caught up (Segment retries it); a refused POST /data_attributes
 * (the attribute exists already, a name or limit Intercom refuses) does not decide the event: the
 * flow goes on, and the listing after it leaves out, with a notice, what was not created; and
 * `X-RateLimit-Reset` is the epoch second the limit resets, not a number of seconds to wait.
 */
export function classifyIntercomResponse(
  response: HttpResponseInfo,
  request: RequestDescriptor,
  now = Date.now(),
): DeliveryOutcome {
  const path = new URL(request.url).pathname;
  if (response.status === 409 && request.method === 'POST' && path.endsWith('/contacts')) {
    return { kind: 'retry', reason: 'HTTP 409: contact exists but is not searchable yet', status: 409 };
  }
  const outcome = classifyHttpResponse(response, now);
  const refusedCreation = outcome.kind === 'dead-letter' && response.status >= 400 && response.status < 500;
  if (refusedCreation && request.method === 'POST' && path.endsWith('/data_attributes')) {
    return { kind: 'delivered', status: response.status };
  }
  if (outcome.kind !== 'retry' || headerValue(response.headers, 'retry-after')) return outcome;
  const reset = Number(headerValue(response.headers, 'x-ratelimit-reset'));
  if (!Number.isFinite(reset) || reset < 1e9) return outcome;
  return { ...outcome, retryAfterMs: Math.max(0, reset * 1000 - now) };
}
