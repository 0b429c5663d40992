import {
  classifyHttpResponse,
  parseJsonBody,
  type DeliveryOutcome,
  type HttpResponseInfo,
  type RequestDescriptor,
  type ResponseOutcome,
} from '@manifold/destination-kit';

// The Graph API signals throttling and temporary trouble with error codes, often in a 400: the
// code decides, not only the status. Transient: `is_transient`, codes 1, 2 (service), 4, 17, 613,
// 80003 (rate limits), 341, 368, 21009 (temporarily not ready). Everything else in a 4xx is final
// (100 invalid parameter, 190 token, 200-299 permissions). One invalid event fails the whole
// request: Meta processes none of it. When its answer names the event by its place in `data`
// (`data[3]`, or Graph's parameter path `$['data'][3]`), only that event is rejected and the others
// go again (none of them was taken; `event_id` makes a resend safe). An answer that names none
// rejects the request as a whole, as it is.

const TRANSIENT_CODES = new Set([1, 2, 4, 17, 341, 368, 613, 21009, 80003]);
/** Graph's throttles carry no Retry-After; a minute is what its rate windows reset within. */
const THROTTLE_WAIT_MS = 60_000;
const THROTTLE_CODES = new Set([4, 17, 613, 80003]);

interface GraphError {
  message?: unknown;
  code?: unknown;
  error_subcode?: unknown;
  is_transient?: unknown;
  error_user_msg?: unknown;
}

/** The place in `data` an error names, if any. */
function namedEvent(error: GraphError): number | undefined {
  for (const text of [error.error_user_msg, error.message]) {
    if (typeof text !== 'string') continue;
    const found = /(?:^|[^\w])data(?:\[|'\]\[)(\d+)\]/.exec(text);
    if (found) return Number(found[1]);
  }
  return undefined;
}

/** A rejection of a batch that names its event: that one rejected, the others sent again. */
function perEvent(rejected: DeliveryOutcome, index: number, request: RequestDescriptor): ResponseOutcome {
  const items = request.itemEvents;
  if (!items || items.length < 2 || index >= items.length) return rejected;
  return {
    kind: 'per-item',
    items: items.map((_event, at): DeliveryOutcome =>
      at === index
        ? rejected
        : { kind: 'retry', reason: `Meta refused the request for another of its events (data[${index}])` },
    ),
  };
}

export function classifyMetaResponse(response: HttpResponseInfo, request: RequestDescriptor): ResponseOutcome {
  const generic = classifyHttpResponse(response);
  if (generic.kind === 'delivered') return generic;
  const error = (parseJsonBody(response.body) as { error?: GraphError } | undefined)?.error;
  if (!error || typeof error.code !== 'number') return generic;
  const detail = [error.message, error.error_user_msg].filter((t) => typeof t === 'string').join(': ');
  const reason = `Graph error ${error.code}${typeof error.error_subcode === 'number' ? `/${error.error_subcode}` : ''}: ${detail}`;
  if (error.is_transient === true || TRANSIENT_CODES.has(error.code)) {
    return {
      kind: 'retry',
      reason,
      status: response.status,
      ...(generic.kind === 'retry' && generic.retryAfterMs !== undefined
        ? { retryAfterMs: generic.retryAfterMs }
        : THROTTLE_CODES.has(error.code)
          ? { retryAfterMs: THROTTLE_WAIT_MS }
          : {}),
    };
  }
  if (generic.kind === 'retry') return generic;
  const rejected: DeliveryOutcome = {
    kind: 'dead-letter',
    reason: 'REJECTED',
    status: response.status,
    message: reason,
  };
  const index = namedEvent(error);
  return index !== undefined ? perEvent(rejected, index, request) : rejected;
}
