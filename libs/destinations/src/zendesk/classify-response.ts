import {
  classifyHttpResponse,
  isPlainObject,
  parseJsonBody,
  type HttpResponseInfo,
  type RequestDescriptor,
  type ResponseOutcome,
} from '@manifold/destination-kit';
import { classifyJobStatus, isJobStatusRead } from './job-status';

// Zendesk's errors: `{error, description?, details?}` (422 RecordInvalid lists the fields at
// fault under `details`). 409 (concurrent writes to one record) is retried with 429 and 5xx. A
// membership that already exists is what the flow wanted: counted as done. A field Zendesk refuses
// to create (made meanwhile by another request, a key it does not take) does not stop the record:
// the flow lists the fields again and leaves out, with a notice, what is still missing.

export function classifyZendeskResponse(response: HttpResponseInfo, request: RequestDescriptor): ResponseOutcome {
  const generic = classifyHttpResponse(response);
  if (isJobStatusRead(request)) return classifyJobStatus(response, generic);
  if (response.status === 409) return { kind: 'retry', status: 409, reason: 'Zendesk: conflicting concurrent update' };
  if (generic.kind !== 'dead-letter') return generic;
  const path = request.url.split('?')[0] ?? '';
  if (request.method === 'POST' && /\/(user_fields|organization_fields)$/.test(path)) {
    return { kind: 'delivered', status: response.status };
  }
  const body = parseJsonBody(response.body);
  if (!isPlainObject(body)) return generic;
  const details = isPlainObject(body['details']) ? body['details'] : {};
  const text = JSON.stringify(details);
  if (response.status === 422 && path.endsWith('/organization_memberships') && /DuplicateValue|already/i.test(text)) {
    return { kind: 'delivered', status: response.status };
  }
  const fields = Object.entries(details).map(([field, problems]) => {
    const list = Array.isArray(problems) ? problems.filter(isPlainObject) : [];
    return `${field}: ${list.map((p) => String(p['description'] ?? p['error'] ?? '')).join(', ')}`;
  });
  const head = `Zendesk ${String(body['error'] ?? response.status)}${body['description'] ? `: ${String(body['description'])}` : ''}`;
  return { ...generic, message: [head, ...fields].join('; ') };
}
