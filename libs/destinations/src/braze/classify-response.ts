import {
  classifyHttpResponse,
  headerValue,
  parseJsonBody,
  type DeliveryOutcome,
  type HttpResponseInfo,
  type RequestDescriptor,
  type ResponseOutcome,
} from '@manifold/destination-kit';
import { TRACK_ARRAYS, type TrackArray } from './users-track';

interface BrazeError {
  type?: unknown;
  input_array?: unknown;
  index?: unknown;
}

/**
 * Braze answers 201 even when some objects were invalid, listing them in
 * `errors[{type, input_array, index}]`: those objects are rejected, the
 * others delivered. A 429 may carry only `X-RateLimit-Reset`, an epoch time in seconds.
 */
export function classifyBrazeResponse(response: HttpResponseInfo, request: RequestDescriptor): ResponseOutcome {
  const generic = withEpochReset(classifyHttpResponse(response), response);
  if (generic.kind !== 'delivered') return generic;
  const errors = (parseJsonBody(response.body) as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return generic;
  const sent = (parseJsonBody(request.body ?? '') ?? {}) as Partial<Record<TrackArray, unknown[]>>;
  const array = TRACK_ARRAYS.find((name) => Array.isArray(sent[name]));
  if (!array) return generic;
  const items: DeliveryOutcome[] = (sent[array] ?? []).map(() => ({ kind: 'delivered', status: response.status }));
  for (const error of errors as BrazeError[]) {
    if (error.input_array !== array || typeof error.index !== 'number' || !items[error.index]) continue;
    items[error.index] = {
      kind: 'dead-letter',
      reason: 'REJECTED',
      status: 400,
      message: `Braze rejected ${array}[${error.index}]: ${String(error.type ?? 'invalid')}`,
    };
  }
  return { kind: 'per-item', items };
}

/**
 * The generic reading takes `X-RateLimit-Reset` as seconds to wait; Braze and Intercom send the
 * epoch second of the reset instead, which would read as a wait of decades.
 */
export function withEpochReset(
  outcome: DeliveryOutcome,
  response: HttpResponseInfo,
  now = Date.now(),
): DeliveryOutcome {
  if (outcome.kind !== 'retry' || headerValue(response.headers, 'retry-after')) return outcome;
  const reset = Number(headerValue(response.headers, 'x-ratelimit-reset'));
  if (!Number.isFinite(reset) || reset < 1e9) return outcome;
  return { ...outcome, retryAfterMs: Math.max(0, reset * 1000 - now) };
}
