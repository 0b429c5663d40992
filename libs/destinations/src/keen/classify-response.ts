import {
  classifyHttpResponse,
  isPlainObject,
  parseJsonBody,
  type DeliveryOutcome,
  type HttpResponseInfo,
  type RequestDescriptor,
  type ResponseOutcome,
} from '@manifold/destination-kit';
import { bodyOrder } from './events-request';

// Keen answers the multiple-events endpoint with 200 even when some events failed:
// `{"<collection>": [{"success": true}, {"success": false, "error": {"name", "description"}}]}`,
// by position. Failed events are rejected (a refused name or value will be refused again), except
// Keen's own InternalServerError, retried; the others are delivered.

function itemOutcome(item: unknown, collection: string, index: number, status: number): DeliveryOutcome {
  if (isPlainObject(item) && item['success'] === true) return { kind: 'delivered', status };
  const error = isPlainObject(item) && isPlainObject(item['error']) ? item['error'] : {};
  const name = typeof error['name'] === 'string' ? error['name'] : 'no answer for this event';
  if (name === 'InternalServerError') return { kind: 'retry', reason: `Keen ${name}`, status: 500 };
  const description = typeof error['description'] === 'string' ? `: ${error['description']}` : '';
  return {
    kind: 'dead-letter',
    reason: 'REJECTED',
    status: 400,
    message: `Keen refused ${collection}[${index}]: ${name}${description}`,
  };
}

export function classifyKeenResponse(response: HttpResponseInfo, request: RequestDescriptor): ResponseOutcome {
  const generic = classifyHttpResponse(response);
  if (generic.kind !== 'delivered') return generic;
  const answer = parseJsonBody(response.body);
  const sent = parseJsonBody(request.body ?? '');
  if (!isPlainObject(answer) || !isPlainObject(sent)) return generic;
  const items = bodyOrder(sent as Record<string, unknown[]>).map(([collection, i]) => {
    const results = answer[collection];
    return itemOutcome(Array.isArray(results) ? results[i] : undefined, collection, i, response.status);
  });
  return items.every((item) => item.kind === 'delivered') ? generic : { kind: 'per-item', items };
}
