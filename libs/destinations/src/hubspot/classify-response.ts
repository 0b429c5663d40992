import {
  classifyHttpResponse,
  headerValue,
  parseJsonBody,
  truncate,
  type DeliveryOutcome,
  type HttpResponseInfo,
  type RequestDescriptor,
  type ResponseOutcome,
} from '@manifold/destination-kit';

interface HubspotItemError {
  message?: unknown;
  category?: unknown;
  context?: { ids?: unknown };
}

/** A refusal in HubSpot's words: `HTTP 400 VALIDATION_ERROR: <message>`, from its error body. */
export function refusalMessage(response: HttpResponseInfo): string | undefined {
  const body = parseJsonBody(response.body) as { message?: unknown; category?: unknown } | undefined;
  if (typeof body?.message !== 'string') return undefined;
  const category = typeof body.category === 'string' ? ` ${body.category}` : '';
  return `HTTP ${response.status}${category}: ${truncate(body.message, 500)}`;
}

/**
 * HubSpot's readings beyond the generic rule: a refusal's message is HubSpot's, a batch upsert answers 207 when some inputs were
 * refused, naming them in `errors[].context.ids` (those events are rejected, the others
 * delivered), and 477 (a portal migration in progress) is retried after its Retry-After.
 */
export function classifyHubspotResponse(response: HttpResponseInfo, request: RequestDescriptor): ResponseOutcome {
  if (response.status === 477) {
    const seconds = Number(headerValue(response.headers, 'retry-after'));
    return {
      kind: 'retry',
      reason: 'HTTP 477: HubSpot account migration in progress',
      status: 477,
      ...(Number.isFinite(seconds) && seconds > 0 ? { retryAfterMs: seconds * 1000 } : {}),
    };
  }
  const generic = classifyHttpResponse(response);
  if (generic.kind === 'dead-letter') return { ...generic, message: refusalMessage(response) ?? generic.message };
  // Only an upsert's 207 is per input; a read's or an association's is read by the flow's steps.
  if (generic.kind !== 'delivered' || response.status !== 207 || !request.url.includes('/batch/upsert')) return generic;
  const errors = (parseJsonBody(response.body) as { errors?: unknown } | undefined)?.errors;
  const inputs = (parseJsonBody(request.body ?? '') as { inputs?: { id?: unknown }[] } | undefined)?.inputs;
  if (!Array.isArray(errors) || !Array.isArray(inputs)) return generic;
  const items: DeliveryOutcome[] = inputs.map(() => ({ kind: 'delivered', status: 207 }));
  for (const error of errors as HubspotItemError[]) {
    const ids = Array.isArray(error.context?.ids) ? error.context.ids : [];
    inputs.forEach((input, index) => {
      if (!ids.includes(input.id)) return;
      items[index] = {
        kind: 'dead-letter',
        reason: 'REJECTED',
        status: 400,
        message: `HubSpot refused ${String(input.id)}: ${String(error.category ?? 'error')}: ${String(error.message ?? '')}`,
      };
    });
  }
  return { kind: 'per-item', items };
}
