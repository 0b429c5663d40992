import {
  classifyHttpResponse,
  parseJsonBody,
  type HttpResponseInfo,
  type ResponseOutcome,
} from '@manifold/destination-kit';

/**
 * Salesforce's readings beyond the generic rule: a 403 `REQUEST_LIMIT_EXCEEDED` (the org's rolling
 * 24-hour API allocation is used up) is retried later, other 403s (permissions) are final; and a
 * refusal's message is the error array's `errorCode: message` pairs.
 */
export function classifySalesforceResponse(response: HttpResponseInfo): ResponseOutcome {
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
