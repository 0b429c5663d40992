import {
  isPlainObject,
  parseJsonBody,
  type DeliveryOutcome,
  type HttpResponseInfo,
  type RequestDescriptor,
  type ResponseOutcome,
} from '@manifold/destination-kit';
import { zendeskGet } from './api';
import type { ZendeskSettings } from './settings';

// Zendesk's bulk endpoints (users/create_or_update_many) answer 200 with a queued job, not with
// the users: the job runs later and its status (GET /api/v2/job_statuses/{id}) lists one result
// per user, in the order sent: `Created`, `Updated`, or `Failed` with `error` and `details`. After
// the job is accepted its status is read once, straight away. A job already done answers each
// event with its own user's result; a job still queued or working has taken the users without a
// verdict yet: its events count as delivered (accepted), and a user it fails later is known to
// Zendesk only (README: what is known at delivery time). So does a job whose status read failed.

export const JOB_STEP = 'job-queued';
const JOB_PATH = /\/api\/v2\/job_statuses\/[^/]+(\.json)?$/;

/** After the bulk request: read its job's status once. */
export function jobQueuedFollowUp(answer: string, settings: ZendeskSettings): RequestDescriptor[] {
  const body = parseJsonBody(answer);
  const job = isPlainObject(body) && isPlainObject(body['job_status']) ? body['job_status'] : undefined;
  const id = job?.['id'];
  if (typeof id !== 'string' && typeof id !== 'number') return [];
  const request = zendeskGet(
    settings,
    `/api/v2/job_statuses/${encodeURIComponent(String(id))}`,
    {},
    {
      step: 'job-status',
    },
  );
  // The status read ends the flow: it carries no step of its own.
  const { followUp: _none, ...read } = request;
  return [read];
}

export const isJobStatusRead = (request: RequestDescriptor): boolean =>
  request.method === 'GET' && JOB_PATH.test(request.url.split('?')[0] ?? '');

function resultOutcome(result: unknown, status: number): DeliveryOutcome {
  if (isPlainObject(result) && result['status'] !== 'Failed' && result['error'] === undefined) {
    return { kind: 'delivered', status };
  }
  const error = isPlainObject(result) ? String(result['error'] ?? 'Failed') : 'no result';
  const details = isPlainObject(result) && result['details'] !== undefined ? `: ${String(result['details'])}` : '';
  return { kind: 'dead-letter', reason: 'REJECTED', status: 422, message: `Zendesk job: ${error}${details}` };
}

/** The status read's answer, per user of the job (in the order sent). */
export function classifyJobStatus(response: HttpResponseInfo, generic: ResponseOutcome): ResponseOutcome {
  // The job was accepted before this read: a read that failed (5xx, 429) leaves it accepted
  // without a verdict, like a job still queued. Retrying would queue the users a second time.
  if (generic.kind !== 'delivered') return { kind: 'delivered', status: response.status };
  const body = parseJsonBody(response.body);
  const job = isPlainObject(body) && isPlainObject(body['job_status']) ? body['job_status'] : undefined;
  const status = job?.['status'];
  // Queued or working: accepted, no verdict yet.
  if (status !== 'completed' && status !== 'failed' && status !== 'killed') return generic;
  const results = Array.isArray(job?.['results']) ? (job['results'] as unknown[]) : [];
  const total = typeof job?.['total'] === 'number' ? job['total'] : results.length;
  const items: DeliveryOutcome[] = Array.from({ length: total }, (_v, index) => {
    const result = results.find((r) => isPlainObject(r) && r['index'] === index) ?? results[index];
    // A failed or killed job that never reached this user: sent again later.
    if (result === undefined)
      return { kind: 'retry', status: response.status, reason: `Zendesk job ${String(status)}` };
    return resultOutcome(result, response.status);
  });
  return { kind: 'per-item', items };
}
