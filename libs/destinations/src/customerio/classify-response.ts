import {
  classifyHttpResponse,
  parseJsonBody,
  type DeliveryOutcome,
  type HttpResponseInfo,
  type RequestDescriptor,
  type ResponseOutcome,
} from '@manifold/destination-kit';
import { BATCH_PATH } from './entity';

interface BatchError {
  batch_index?: unknown;
  reason?: unknown;
  field?: unknown;
  message?: unknown;
}

/**
 * /api/v2/batch reports invalid entries in `errors[{batch_index, reason, field, message}]` on a
 * 2xx (207 Multi-Status, sometimes 200): those entries are rejected, the others delivered
 * (Segment's parseResponse). Everything else reads the generic way.
 */
export function classifyCustomerioResponse(response: HttpResponseInfo, request: RequestDescriptor): ResponseOutcome {
  const generic = classifyHttpResponse(response);
  if (generic.kind !== 'delivered' || !new URL(request.url).pathname.endsWith(BATCH_PATH)) return generic;
  const errors = (parseJsonBody(response.body) as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return generic;
  const sent = (parseJsonBody(request.body ?? '') as { batch?: unknown[] } | undefined)?.batch ?? [];
  const items: DeliveryOutcome[] = sent.map(() => ({ kind: 'delivered', status: response.status }));
  for (const error of errors as BatchError[]) {
    const index = error.batch_index;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= items.length) continue;
    const text = [error.field, error.message ?? error.reason].filter((part) => typeof part === 'string').join(': ');
    items[index] = {
      kind: 'dead-letter',
      reason: 'REJECTED',
      status: 400,
      message: `Customer.io rejected batch entry ${index}: ${text || 'invalid'}`,
    };
  }
  return { kind: 'per-item', items };
}
