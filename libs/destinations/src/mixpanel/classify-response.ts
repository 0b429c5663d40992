import {
  classifyHttpResponse,
  parseJsonBody,
  type DeliveryOutcome,
  type HttpResponseInfo,
  type RequestDescriptor,
  type ResponseOutcome,
  isPlainObject,
} from '@manifold/destination-kit';

interface FailedRecord {
  index?: unknown;
  field?: unknown;
  message?: unknown;
}

/**
 * How Mixpanel answers: /import's strict 400 is a partial success (the
 * listed records failed, the others were imported); /track, /engage and /groups answer 200 with
 * `0` or `{"status":0,"error":…}` when nothing was valid.
 */
export function classifyMixpanelResponse(response: HttpResponseInfo, request: RequestDescriptor): ResponseOutcome {
  const body = parseJsonBody(response.body);
  const isImport = new URL(request.url).pathname.endsWith('/import');
  if (isImport && response.status === 400 && isPlainObject(body) && Array.isArray(body['failed_records'])) {
    const count = request.itemEvents?.length ?? 0;
    const items: DeliveryOutcome[] = Array.from({ length: count }, () => ({ kind: 'delivered', status: 200 }));
    for (const record of body['failed_records'] as FailedRecord[]) {
      if (typeof record.index !== 'number' || record.index >= count) continue;
      items[record.index] = {
        kind: 'dead-letter',
        reason: 'REJECTED',
        status: 400,
        message: `Mixpanel refused ${String(record.field)}: ${String(record.message)}`,
      };
    }
    return { kind: 'per-item', items };
  }
  if (!isImport && response.status === 200) {
    const text = response.body.trim();
    if (text === '0' || (isPlainObject(body) && body['status'] === 0)) {
      const error = isPlainObject(body) && typeof body['error'] === 'string' ? body['error'] : 'no valid record';
      return { kind: 'dead-letter', reason: 'REJECTED', status: 200, message: `Mixpanel refused the update: ${error}` };
    }
  }
  return classifyHttpResponse(response);
}
