import {
  classifyHttpResponse,
  isPlainObject,
  parseJsonBody,
  type DeliveryOutcome,
  type HttpResponseInfo,
  type RequestDescriptor,
  type ResponseOutcome,
} from '@manifold/destination-kit';

/**
 * Salesforce's readings beyond the generic rule: a 403 `REQUEST_LIMIT_EXCEEDED` (the org's rolling
 * 24-hour API allocation is used up) is retried later, other 403s (permissions) are final; and a
 * refusal's message is the error array's `errorCode: message` pairs.
 */
function classifyWhole(response: HttpResponseInfo): DeliveryOutcome {
  const generic = classifyHttpResponse(response);
  if (generic.kind !== 'dead-letter') return generic;
  const errors = parseJsonBody(response.body);
  const list = Array.isArray(errors) ? (errors as { errorCode?: unknown; message?: unknown }[]) : [];
  if (response.status === 403 && list.some((e) => e.errorCode === 'REQUEST_LIMIT_EXCEEDED')) {
    return {
      kind: 'retry',
      reason: 'HTTP 403 REQUEST_LIMIT_EXCEEDED: the org used its daily API allocation',
      status: 403,
    };
  }
  if (list.length === 0) return generic;
  const message = list.map((e) => `${String(e.errorCode)}: ${String(e.message)}`).join('; ');
  return { ...generic, message: `HTTP ${response.status}: ${message}` };
}

/** Errors of one record that a later try may get through: a locked row, the daily allocation. */
const TRANSIENT_ITEM_ERRORS = new Set(['UNABLE_TO_LOCK_ROW', 'REQUEST_LIMIT_EXCEEDED', 'SERVER_UNAVAILABLE']);

/** One UpsertResult of a collection: `{id, success, created}` or `{success: false, errors: [{statusCode, message, fields}]}`. */
function itemOutcome(result: unknown, status: number): DeliveryOutcome {
  if (isPlainObject(result) && result['success'] === true) return { kind: 'delivered', status };
  const errors = isPlainObject(result) && Array.isArray(result['errors']) ? result['errors'].filter(isPlainObject) : [];
  const codes = errors.map((e) => String(e['statusCode']));
  const message = `Salesforce refused the record: ${errors.map((e) => `${String(e['statusCode'])}: ${String(e['message'])}`).join('; ') || 'no UpsertResult'}`;
  if (codes.length > 0 && codes.every((code) => TRANSIENT_ITEM_ERRORS.has(code))) {
    return { kind: 'retry', status, reason: message };
  }
  return { kind: 'dead-letter', reason: 'REJECTED', status, message };
}

/**
 * A collection (a batch: it has `itemEvents`) is answered per event: its 200 is one UpsertResult
 * per record, and each event gets its record's (`itemBodyIndex`). Any other answer (a refusal of
 * the whole request, a 5xx) is the request's: the kit applies it to this request's events only.
 */
export function classifySalesforceResponse(response: HttpResponseInfo, request?: RequestDescriptor): ResponseOutcome {
  const whole = classifyWhole(response);
  const events = request?.itemEvents;
  if (!events || whole.kind !== 'delivered' || !/\/composite\/sobjects\//.test(request.url)) return whole;
  const answer = parseJsonBody(response.body);
  if (!Array.isArray(answer)) return whole;
  const bodyIndex = request.itemBodyIndex;
  return {
    kind: 'per-item',
    items: events.map((_event, index) => itemOutcome(answer[bodyIndex?.[index] ?? index], response.status)),
  };
}
