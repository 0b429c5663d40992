import {
  classifyHttpResponse,
  parseJsonBody,
  type DeliveryOutcome,
  type HttpResponseInfo,
  type RequestDescriptor,
  type ResponseOutcome,
} from '@manifold/destination-kit';

interface GoogleAdsError {
  errorCode?: Record<string, unknown>;
  message?: unknown;
  location?: { fieldPathElements?: { fieldName?: unknown; index?: unknown }[] };
}

/**
 * A click Google has not processed yet (less than 6 hours old) refuses its conversions for now:
 * tried again an hour later at the soonest (the click's age is not known here), within the retry
 * window like any retry.
 */
const TOO_RECENT_RETRY_MS = 3_600_000;

/**
 * Google Ads' readings beyond the generic rule. A 200 may carry `partialFailureError`: its
 * errors name the refused conversions by `conversions[index]`; those events are rejected, the
 * others delivered, except `CLICK_CONVERSION_ALREADY_EXISTS` (this conversion was uploaded before:
 * a retried event already there, delivered) and `TOO_RECENT_EVENT` (retried later). Request-level
 * errors are `{error: {code, message, status}}`: their message goes into the dead letter.
 */
export function classifyGoogleAdsResponse(response: HttpResponseInfo, request: RequestDescriptor): ResponseOutcome {
  const generic = classifyHttpResponse(response);
  const body = parseJsonBody(response.body) as
    | {
        partialFailureError?: { details?: { errors?: GoogleAdsError[] }[] };
        error?: { message?: unknown; status?: unknown };
      }
    | undefined;
  if (generic.kind === 'dead-letter' && body?.error) {
    return {
      ...generic,
      message: `HTTP ${response.status} ${String(body.error.status)}: ${String(body.error.message)}`,
    };
  }
  if (generic.kind !== 'delivered' || !body?.partialFailureError) return generic;
  const sent = (parseJsonBody(request.body ?? '') as { conversions?: unknown[] } | undefined)?.conversions ?? [];
  const items: DeliveryOutcome[] = sent.map(() => ({ kind: 'delivered', status: response.status }));
  for (const detail of body.partialFailureError.details ?? []) {
    for (const error of detail.errors ?? []) {
      const index = error.location?.fieldPathElements?.find((e) => e.fieldName === 'conversions')?.index;
      if (typeof index !== 'number' || index < 0 || index >= items.length) continue;
      const code = Object.values(error.errorCode ?? {})[0];
      if (code === 'CLICK_CONVERSION_ALREADY_EXISTS') continue;
      if (code === 'TOO_RECENT_EVENT') {
        items[index] = {
          kind: 'retry',
          status: response.status,
          retryAfterMs: TOO_RECENT_RETRY_MS,
          reason: `Google Ads has not processed the click of conversion ${index} yet: TOO_RECENT_EVENT: ${String(error.message ?? '')}`,
        };
        continue;
      }
      items[index] = {
        kind: 'dead-letter',
        reason: 'REJECTED',
        status: 400,
        message: `Google Ads refused conversion ${index}: ${String(code)}: ${String(error.message ?? '')}`,
      };
    }
  }
  return { kind: 'per-item', items };
}
