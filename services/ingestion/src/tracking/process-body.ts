import { isCallType, type CallType, type SpecEvent } from '@manifold/events';
import { IngestionError, type Rejection } from '../http/errors';
import { formatLimit } from '../http/read-body';
import { enrichCall, type RequestFacts } from './enrich';
import { isPlainObject, validateCall } from './validate';

export interface RejectedItem extends Rejection {
  /** Position in the batch (0 for a single call). */
  index: number;
  /** What was sent, without its write key, for the live debugger. */
  input: unknown;
  /** The call type, when the input names a valid one. */
  type: CallType | undefined;
}

export interface ProcessedBody {
  accepted: SpecEvent[];
  rejected: RejectedItem[];
}

export interface BatchLimits {
  maxItems: number;
  maxItemBytes: number;
}

function rejectedItem(index: number, input: unknown, rejection: Rejection, type?: CallType): RejectedItem {
  if (isPlainObject(input)) delete input['writeKey'];
  return { index, input, type, ...rejection };
}

/** One call (`/v1/track`, ...): the path names its type. */
export function processCall(body: Record<string, unknown>, type: CallType, facts: RequestFacts): ProcessedBody {
  const rejection = validateCall(body, type);
  if (rejection) return { accepted: [], rejected: [rejectedItem(0, body, rejection, type)] };
  return { accepted: [enrichCall(body, type, facts)], rejected: [] };
}

/**
 * A batch (`/v1/batch`, `/v1/b`, `/v1/import`): each item is judged on its own, so one bad item
 * never costs the good ones. Envelope problems (no array, too many items) reject the request.
 */
export function processBatch(
  body: Record<string, unknown>,
  bodyBytes: number,
  limits: BatchLimits,
  facts: RequestFacts,
): ProcessedBody {
  const batch = body['batch'];
  if (!Array.isArray(batch)) throw IngestionError.badRequest('batch must be an array of calls');
  if (batch.length === 0) throw new IngestionError(400, 'empty_batch', 'the batch contains no calls');
  if (batch.length > limits.maxItems) {
    throw IngestionError.badRequest(
      `the batch has ${batch.length} calls; the limit is ${limits.maxItems.toLocaleString('en-US')} per request`,
    );
  }
  for (const field of ['context', 'integrations'] as const) {
    if (body[field] !== undefined && body[field] !== null && !isPlainObject(body[field])) {
      throw IngestionError.badRequest(`the batch's ${field} must be an object`);
    }
  }
  const sentAt = body['sentAt'];
  if (sentAt !== undefined && sentAt !== null && (typeof sentAt !== 'string' || Number.isNaN(Date.parse(sentAt)))) {
    throw IngestionError.badRequest("the batch's sentAt must be an ISO-8601 date");
  }
  const batchFacts: RequestFacts = {
    ...facts,
    sentAt: sentAt ?? undefined,
    context: isPlainObject(body['context']) ? body['context'] : undefined,
    integrations: isPlainObject(body['integrations']) ? body['integrations'] : undefined,
  };
  // Only a body larger than the per-call limit can hold an item over it; skip the measuring otherwise.
  const measureItems = bodyBytes > limits.maxItemBytes;

  const accepted: SpecEvent[] = [];
  const rejected: RejectedItem[] = [];
  for (let index = 0; index < batch.length; index++) {
    const item: unknown = batch[index];
    if (!isPlainObject(item)) {
      rejected.push(rejectedItem(index, item, { code: 'bad_request', message: 'a batch item must be an object' }));
      continue;
    }
    const type = item['type'];
    if (!isCallType(type)) {
      rejected.push(
        rejectedItem(index, item, {
          code: 'bad_request',
          message: 'type must be one of identify, track, page, screen, group, alias',
        }),
      );
      continue;
    }
    if (measureItems) {
      const size = Buffer.byteLength(JSON.stringify(item));
      if (size > limits.maxItemBytes) {
        rejected.push(
          rejectedItem(
            index,
            undefined,
            {
              code: 'bad_request',
              message: `the call is ${size} bytes; the limit is ${formatLimit(limits.maxItemBytes)} per call`,
            },
            type,
          ),
        );
        continue;
      }
    }
    const rejection = validateCall(item, type);
    if (rejection) rejected.push(rejectedItem(index, item, rejection, type));
    else accepted.push(enrichCall(item, type, batchFacts));
  }
  return { accepted, rejected };
}
