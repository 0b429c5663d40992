import { isCallType, type CallType, type SpecEvent } from '@manifold/events';
import { isPlainObject } from '@manifold/json';
import { IngestionError, type Rejection } from '../http/errors';
import { formatLimit } from '../http/read-body';
import { enrichCall, SKEWED_CLOCK, type RequestFacts } from './enrich';
import { MAX_NESTING_DEPTH, nestedDeeperThan } from './nesting';
import { isTimestamp, TIMESTAMP_RULE, validateCall } from './validate';

export interface RejectedItem extends Rejection {
  /** Position in the batch (0 for a single call). */
  index: number;
  /** What was sent (its write key already taken out by `takeWriteKey`), for the live debugger. */
  input: unknown;
  /** The call type, when the input names a valid one. */
  type: CallType | undefined;
}

export interface ProcessedBody {
  accepted: SpecEvent[];
  rejected: RejectedItem[];
  /** About what the accepted events take as JSON before enrichment (at most, unless measured). */
  bytes: number;
}

export interface BatchLimits {
  maxItems: number;
  /** One call, counted with the batch's shared context and integrations it will carry. */
  maxItemBytes: number;
  /** All the calls of the batch together, each counted as above. */
  maxEventBytes: number;
}

/** UTF-8 bytes of a value as JSON; 0 when there is none. */
function jsonBytes(value: unknown): number {
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value));
}

function oversized(index: number, type: CallType, message: string): RejectedItem {
  // What was sent is not kept for the debugger: it is what is too large.
  return rejectedItem(index, undefined, { code: 'bad_request', message }, type);
}

const TOO_DEEP: Rejection = {
  code: 'bad_request',
  message: `the call nests objects and arrays more than ${MAX_NESTING_DEPTH} levels deep`,
};

function rejectedItem(index: number, input: unknown, rejection: Rejection, type?: CallType): RejectedItem {
  return { index, input, type, ...rejection };
}

/** One call (`/v1/track`, ...): the path names its type; `bodyBytes` is the size of its JSON. */
export function processCall(
  body: Record<string, unknown>,
  bodyBytes: number,
  type: CallType,
  facts: RequestFacts,
): ProcessedBody {
  const rejected = (input: unknown, rejection: Rejection): ProcessedBody => ({
    accepted: [],
    rejected: [rejectedItem(0, input, rejection, type)],
    bytes: 0,
  });
  if (nestedDeeperThan(body, MAX_NESTING_DEPTH)) return rejected(undefined, TOO_DEEP);
  const rejection = validateCall(body, type);
  if (rejection) return rejected(body, rejection);
  const event = enrichCall(body, type, facts);
  if (!event) return rejected(body, SKEWED_CLOCK);
  return { accepted: [event], rejected: [], bytes: bodyBytes };
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
    // Every call would carry it one level down, and so be too deep.
    if (nestedDeeperThan(body[field], MAX_NESTING_DEPTH - 1)) {
      throw IngestionError.badRequest(
        `the batch's ${field} nests objects and arrays more than ${MAX_NESTING_DEPTH - 1} levels deep`,
      );
    }
  }
  const sentAt = body['sentAt'];
  if (sentAt !== undefined && sentAt !== null && !isTimestamp(sentAt)) {
    throw IngestionError.badRequest(`the batch's sentAt must be ${TIMESTAMP_RULE}`);
  }
  const context = isPlainObject(body['context']) ? body['context'] : undefined;
  const integrations = isPlainObject(body['integrations']) ? body['integrations'] : undefined;
  const batchFacts: RequestFacts = { ...facts, sentAt: sentAt ?? undefined, context, integrations };
  // Every item will carry a copy of the shared context and integrations, so each is counted with
  // them, before any event is built. An item and the shared values are disjoint parts of the body,
  // so only a body over the per-call limit can hold an item over it, and only a body whose shared
  // part, repeated for every item, could pass the batch's bound needs the running total: the
  // measuring (one JSON.stringify per item) is skipped otherwise.
  const sharedBytes = jsonBytes(context) + jsonBytes(integrations);
  const measureItems = bodyBytes > limits.maxItemBytes;
  const countTotal = bodyBytes + batch.length * sharedBytes > limits.maxEventBytes;
  const sharedNote = sharedBytes > 0 ? ` with the batch's context and integrations (${sharedBytes} bytes)` : '';
  let totalBytes = 0;

  const accepted: SpecEvent[] = [];
  const rejected: RejectedItem[] = [];
  for (let index = 0; index < batch.length; index++) {
    const item: unknown = batch[index];
    // First: every later step, the debugger's copy included, may read the item recursively.
    if (nestedDeeperThan(item, MAX_NESTING_DEPTH)) {
      const type = isPlainObject(item) && isCallType(item['type']) ? item['type'] : undefined;
      rejected.push(rejectedItem(index, undefined, TOO_DEEP, type));
      continue;
    }
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
    let size = 0;
    if (measureItems || countTotal) {
      size = jsonBytes(item) + sharedBytes;
      if (size > limits.maxItemBytes) {
        const limit = formatLimit(limits.maxItemBytes);
        rejected.push(oversized(index, type, `the call is ${size} bytes${sharedNote}; the limit is ${limit} per call`));
        continue;
      }
    }
    const rejection = validateCall(item, type);
    if (rejection) {
      rejected.push(rejectedItem(index, item, rejection, type));
      continue;
    }
    if (countTotal && totalBytes + size > limits.maxEventBytes) {
      const limit = formatLimit(limits.maxEventBytes);
      rejected.push(
        oversized(
          index,
          type,
          `the calls before this one already add up to ${totalBytes} bytes${sharedNote}; a batch's calls may add up to ${limit}: send this one in another batch`,
        ),
      );
      continue;
    }
    const event = enrichCall(item, type, batchFacts);
    if (!event) {
      rejected.push(rejectedItem(index, item, SKEWED_CLOCK, type));
      continue;
    }
    totalBytes += size;
    accepted.push(event);
  }
  return { accepted, rejected, bytes: countTotal ? totalBytes : bodyBytes + accepted.length * sharedBytes };
}
