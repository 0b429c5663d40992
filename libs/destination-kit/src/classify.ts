import { SecretMasker } from '@manifold/secrets';
import { headerValue, type HttpResponseInfo, type RequestDescriptor } from './request';
import { combineOutcomes, type DeliveryOutcome } from './outcome';

// The generic retry rule, the one Segment's Actions destinations follow (README "Outcomes"): a
// 4xx is final except 408 (timeout), 423 (locked) and 429 (rate limited), which say "later";
// a 5xx is retried except 501, which says the server will never do it; network errors are retried.

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 423 || status === 429 || (status >= 500 && status <= 599 && status !== 501);
}

/**
 * Milliseconds to wait according to `Retry-After` (delta-seconds or an HTTP date), falling back
 * to `X-RateLimit-Reset` read as seconds; undefined when neither is usable.
 */
export function retryAfterMs(headers: HttpResponseInfo['headers'], now: number = Date.now()): number | undefined {
  for (const name of ['retry-after', 'x-ratelimit-reset']) {
    const raw = headerValue(headers, name)?.trim();
    if (!raw) continue;
    if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
    if (name === 'retry-after') {
      const date = Date.parse(raw);
      if (!Number.isNaN(date)) return Math.max(0, date - now);
    }
  }
  return undefined;
}

/** The generic reading of a response: 2xx delivered, retryable statuses retried, everything else rejected. */
export function classifyHttpResponse(response: HttpResponseInfo, now: number = Date.now()): DeliveryOutcome {
  const { status } = response;
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (isRetryableStatus(status)) {
    const after = retryAfterMs(response.headers, now);
    return { kind: 'retry', reason: `HTTP ${status}`, status, ...(after !== undefined ? { retryAfterMs: after } : {}) };
  }
  return {
    kind: 'dead-letter',
    reason: 'REJECTED',
    status,
    message: `HTTP ${status}: ${truncate(response.body, 500)}`,
  };
}

/** Error codes that mean "the request may not have reached the API": retried (§6.5). */
const NETWORK_CODES = new Set([
  'ENOTFOUND',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EREFUSED',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_ABORTED',
]);

/**
 * The `code` of the error a sender fails with when a destination's address is in a network the
 * deployment blocks (destination-http's AddressPolicy): the settings point where requests may not
 * go, which a retry does not change.
 */
export const BLOCKED_ADDRESS_CODE = 'ERR_DESTINATION_ADDRESS_BLOCKED';

/**
 * A request that got no response. Timeouts and connection failures are retried; an error that
 * will recur identically (an invalid URL in the settings, an address the deployment blocks) goes
 * to the dead-letter topic.
 */
export function classifyNetworkError(error: unknown): DeliveryOutcome {
  const code = errorCode(error);
  // No request here to know the instance's secrets: at least a URL's userinfo never goes on.
  const message = SecretMasker.generic.text(error instanceof Error ? error.message : String(error));
  if (code === 'ERR_INVALID_URL' || code === 'UND_ERR_INVALID_ARG' || code === BLOCKED_ADDRESS_CODE) {
    return { kind: 'dead-letter', reason: 'INVALID_SETTINGS', message: `cannot send: ${message}` };
  }
  if (code && NETWORK_CODES.has(code)) return { kind: 'retry', reason: code };
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) {
    return { kind: 'retry', reason: error.name };
  }
  return { kind: 'retry', reason: code ?? message };
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (error as { cause?: unknown }).cause;
  return cause ? errorCode(cause) : undefined;
}

/**
 * What a destination's classifier may answer: one outcome for the whole request, or (for a JSON
 * array body) one per array element, for APIs that accept or reject items one by one.
 */
export type ResponseOutcome = DeliveryOutcome | { kind: 'per-item'; items: DeliveryOutcome[] };

/** The events of a batch of `eventCount` that `request` carries: those its `itemEvents` name, else every one. */
export function eventsOfRequest(request: RequestDescriptor, eventCount: number): number[] {
  if (!request.itemEvents) return Array.from({ length: eventCount }, (_v, index) => index);
  return [...new Set(request.itemEvents)].filter((event) => event >= 0 && event < eventCount);
}

/**
 * The outcome of each event `request` carries (`eventsOfRequest`), by its index in the batch. A
 * per-item outcome is mapped back through `request.itemEvents` (an event with several items gets
 * their combination); an answer to the whole request (a 400, a 5xx) counts for the events of this
 * request only: a batch split into several requests has its other events in the others, which
 * answer for them.
 */
export function outcomesOfRequest(
  request: RequestDescriptor,
  outcome: ResponseOutcome,
  eventCount: number,
): Map<number, DeliveryOutcome> {
  const carried = eventsOfRequest(request, eventCount);
  if (outcome.kind !== 'per-item') return new Map(carried.map((event) => [event, outcome]));
  const byEvent = new Map<number, DeliveryOutcome[]>(carried.map((event) => [event, []]));
  outcome.items.forEach((item, index) => {
    const eventIndex = request.itemEvents?.[index] ?? (eventCount === 1 ? 0 : index);
    byEvent.get(eventIndex)?.push(item);
  });
  const result = new Map<number, DeliveryOutcome>();
  for (const [event, items] of byEvent) {
    result.set(event, items.length > 0 ? combineOutcomes(items) : { kind: 'delivered', status: 200 });
  }
  return result;
}

/**
 * `outcomesOfRequest` as one outcome per event of the batch: an event this request does not
 * carry reads as delivered here (its own request answers for it, and any other outcome outweighs
 * this one in `combineOutcomes`).
 */
export function outcomesPerEvent(
  request: RequestDescriptor,
  outcome: ResponseOutcome,
  eventCount: number,
): DeliveryOutcome[] {
  const carried = outcomesOfRequest(request, outcome, eventCount);
  return Array.from({ length: eventCount }, (_v, event) => carried.get(event) ?? { kind: 'delivered', status: 200 });
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** A JSON body, or undefined when the body is not JSON. */
export function parseJsonBody(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}
