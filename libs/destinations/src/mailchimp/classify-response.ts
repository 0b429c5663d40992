import {
  classifyHttpResponse,
  isPlainObject,
  parseJsonBody,
  type HttpResponseInfo,
  type RequestDescriptor,
  type ResponseOutcome,
} from '@manifold/destination-kit';
import { batchSubscribeOutcome, isBatchSubscribe } from './batch-subscribe';

// Mailchimp answers errors as problem+json `{title, status, detail, errors?[{field, message}]}`.
// Throttling is 429, and at high volume sometimes a bare 403 without a JSON body: that one is
// retried like a 429 (a real 403 — a disabled user, a forbidden resource — has its JSON body). A
// merge field Mailchimp refuses to create (made meanwhile by another request, a tag or count it
// does not take) does not stop the member: the flow reads the fields again and leaves out, with a
// notice, what is still missing. A batch subscribe answers 200 with an `errors` entry per member
// it refused: those members' events are rejected, the others delivered.

export function classifyMailchimpResponse(response: HttpResponseInfo, request: RequestDescriptor): ResponseOutcome {
  const generic = classifyHttpResponse(response);
  if (generic.kind === 'delivered' && isBatchSubscribe(request))
    return batchSubscribeOutcome(response, request) ?? generic;
  if (generic.kind !== 'dead-letter') return generic;
  const problem = parseJsonBody(response.body);
  if (response.status === 403 && !isPlainObject(problem)) {
    return { kind: 'retry', status: 403, reason: 'Mailchimp throttled the connection (403 without a body)' };
  }
  if (request.method === 'POST' && /\/merge-fields$/.test(request.url))
    return { kind: 'delivered', status: response.status };
  if (!isPlainObject(problem)) return generic;
  const detail = String(problem['detail'] ?? '');
  const errors = Array.isArray(problem['errors'])
    ? (problem['errors'] as unknown[])
        .filter(isPlainObject)
        .map((e) => `${String(e['field'] ?? '')}: ${String(e['message'] ?? '')}`)
    : [];
  const message = [`Mailchimp ${String(problem['title'] ?? response.status)}: ${detail}`, ...errors].join('; ');
  return { ...generic, message };
}
