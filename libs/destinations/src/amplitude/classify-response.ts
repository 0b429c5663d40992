import {
  classifyHttpResponse,
  parseJsonBody,
  retryAfterMs,
  truncate,
  type DeliveryOutcome,
  type HttpResponseInfo,
  type RequestDescriptor,
  type ResponseOutcome,
  isPlainObject,
} from '@manifold/destination-kit';

/** Amplitude documents a pause of about 30 s for a throttled device or user id before it takes more. */
const THROTTLE_PAUSE_MS = 30_000;

/**
 * How Amplitude answers. A 400 is whole-request: nothing was ingested.
 * When it names the faulty events, those are rejected and the others retried (they were fine,
 * and insert_id makes the resend safe); otherwise the request is rejected. 429 and silenced
 * devices pause ~30 s unless Retry-After says otherwise. 500/502/504 may have been ingested:
 * retried, which insert_id de-duplicates.
 */
export function classifyAmplitudeResponse(response: HttpResponseInfo, request: RequestDescriptor): ResponseOutcome {
  const body = parseJsonBody(response.body);
  const fields = isPlainObject(body) ? body : {};
  if (response.status === 429 || (response.status === 400 && fields['error'] === 'Events silenced for device_id')) {
    return {
      kind: 'retry',
      reason: `HTTP ${response.status}: ${String(fields['error'] ?? 'throttled')}`,
      status: response.status,
      retryAfterMs: retryAfterMs(response.headers) ?? THROTTLE_PAUSE_MS,
    };
  }
  if (response.status === 400 && request.itemEvents && request.itemEvents.length > 0) {
    const bad = new Map<number, string[]>();
    for (const key of ['events_with_invalid_fields', 'events_with_missing_fields']) {
      const byField = fields[key];
      if (!isPlainObject(byField)) continue;
      for (const [field, indexes] of Object.entries(byField)) {
        if (!Array.isArray(indexes)) continue;
        for (const index of indexes) if (typeof index === 'number') bad.set(index, [...(bad.get(index) ?? []), field]);
      }
    }
    if (bad.size > 0) {
      const items: DeliveryOutcome[] = request.itemEvents.map((_event, index) => {
        const problems = bad.get(index);
        return problems
          ? {
              kind: 'dead-letter',
              reason: 'REJECTED',
              status: 400,
              message: `Amplitude: ${String(fields['error'])}: ${problems.join(', ')}`,
            }
          : { kind: 'retry', reason: 'another event of the batch was refused', status: 400 };
      });
      return { kind: 'per-item', items };
    }
  }
  if (response.status === 413) {
    return {
      kind: 'dead-letter',
      reason: 'REJECTED',
      status: 413,
      message: `Amplitude: ${truncate(response.body, 200)}`,
    };
  }
  return classifyHttpResponse(response);
}
