import {
  classifyHttpResponse,
  headerValue,
  isPlainObject,
  parseJsonBody,
  type DeliveryOutcome,
  type HttpResponseInfo,
  type RequestDescriptor,
  type ResponseOutcome,
} from '@manifold/destination-kit';
import { FIELD_DEFINITIONS_PATH } from './api';

// SendGrid answers an upsert with 202 and a job id: queued, not yet applied. A 400 refuses the
// whole request and names the fields at fault (`contacts[3].email`): the contacts named are
// rejected, the others retried (nothing of the request was queued). A 429 says when the limit
// resets in `X-RateLimit-Reset`, as epoch seconds. A custom field SendGrid refuses to create (a
// duplicate made meanwhile by another request, a name or count it does not take) does not stop
// the upsert: the flow lists the fields again and leaves out, with a notice, what is still missing.

interface SendgridError {
  field?: unknown;
  message?: unknown;
}

const errorsOf = (body: string): SendgridError[] => {
  const answer = parseJsonBody(body);
  return isPlainObject(answer) && Array.isArray(answer['errors'])
    ? (answer['errors'] as unknown[]).filter(isPlainObject)
    : [];
};

const describe = (error: SendgridError) =>
  `${typeof error.field === 'string' ? `${error.field}: ` : ''}${String(error.message ?? '')}`;

export function classifySendgridResponse(response: HttpResponseInfo, request: RequestDescriptor): ResponseOutcome {
  const generic = classifyHttpResponse(response);
  if (generic.kind === 'retry' && response.status === 429) {
    const reset = Number(headerValue(response.headers, 'x-ratelimit-reset'));
    if (!headerValue(response.headers, 'retry-after') && Number.isFinite(reset) && reset > 1e9) {
      return { ...generic, retryAfterMs: Math.max(0, reset * 1000 - Date.now()) };
    }
    return generic;
  }
  if (generic.kind !== 'dead-letter') return generic;
  const errors = errorsOf(response.body);
  if (request.method === 'POST' && request.url.endsWith(FIELD_DEFINITIONS_PATH)) {
    return { kind: 'delivered', status: response.status };
  }
  if (errors.length === 0) return generic;
  const message = `SendGrid: ${errors.map(describe).join('; ')}`;
  const sent = parseJsonBody(request.body ?? '');
  const contacts = isPlainObject(sent) && Array.isArray(sent['contacts']) ? sent['contacts'] : undefined;
  const named = new Map<number, string[]>();
  for (const error of errors) {
    const index = /^contacts\[(\d+)\]/.exec(typeof error.field === 'string' ? error.field : '')?.[1];
    if (index !== undefined) named.set(Number(index), [...(named.get(Number(index)) ?? []), describe(error)]);
  }
  const indexed = [...named.values()].reduce((n, list) => n + list.length, 0);
  // Errors not about one contact (list_ids, the body) refuse every contact alike.
  if (response.status !== 400 || !contacts || named.size === 0 || indexed < errors.length) {
    return { ...generic, message };
  }
  const items: DeliveryOutcome[] = contacts.map((_contact: unknown, index: number) => {
    const problems = named.get(index);
    return problems
      ? { kind: 'dead-letter', reason: 'REJECTED', status: 400, message: `SendGrid: ${problems.join('; ')}` }
      : { kind: 'retry', status: 400, reason: 'SendGrid refused the request for other contacts in it' };
  });
  return { kind: 'per-item', items };
}
