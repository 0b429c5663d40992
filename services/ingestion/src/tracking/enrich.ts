import { randomUUID } from 'node:crypto';
import type { CallType, SpecEvent } from '@manifold/events';
import { isPlainObject } from '@manifold/json';
import type { Rejection } from '../http/errors';
import { isStorableTime, TIMESTAMP_RULE } from './validate';

/** What the server knows about a request, applied to each of its events. */
export interface RequestFacts {
  /** Server clock at receipt. */
  receivedAtMs: number;
  receivedAt: string;
  /** The caller's address, for `context.ip` when the event has none. */
  ip: string | undefined;
  /** Batch envelope fields, merged into every item (the item's own values win). */
  sentAt?: unknown;
  context?: Record<string, unknown> | undefined;
  integrations?: Record<string, unknown> | undefined;
}

/** The tracking API version stamped on every event, as Segment does (docs/event-spec.md#enrichment). */
export const TRACKING_API_VERSION = 2;

/** Why enrichCall could not make an event of a valid call. */
export const SKEWED_CLOCK: Rejection = {
  code: 'bad_request',
  message: `timestamp corrected for the device's clock (receivedAt − (sentAt − timestamp)) is not ${TIMESTAMP_RULE}: sentAt and timestamp are too far apart`,
};

/**
 * Turns a validated call into the stored event (docs/event-spec.md#enrichment): server `messageId`
 * when missing, `receivedAt`, the client's `timestamp` kept as `originalTimestamp` and
 * `timestamp` corrected for the client's clock skew, envelope context/integrations merged,
 * `context.ip` from the request. (The write key was taken out before: `takeWriteKey`.) Mutates
 * and returns `call`; returns undefined, leaving `call` as it was, when the corrected timestamp is
 * out of range (SKEWED_CLOCK).
 */
export function enrichCall(call: Record<string, unknown>, type: CallType, facts: RequestFacts): SpecEvent | undefined {
  const sentAt = typeof call['sentAt'] === 'string' ? call['sentAt'] : facts.sentAt;
  const timestamp = call['timestamp'];
  let corrected: string | undefined;
  if (typeof timestamp === 'string') {
    corrected = correctedTimestamp(timestamp, typeof sentAt === 'string' ? sentAt : undefined, facts);
    if (corrected === undefined) return undefined;
  }

  // An empty id is an absent one (validateCall): it is not stored, so no consumer sees a user "".
  // Set to undefined rather than deleted: JSON leaves it out all the same, and `delete` would turn
  // the object into a slow dictionary for everything that follows (stringify included).
  if (call['userId'] === '') call['userId'] = undefined;
  if (call['anonymousId'] === '') call['anonymousId'] = undefined;
  call['type'] = type;
  if (typeof call['messageId'] !== 'string') call['messageId'] = `api-${randomUUID()}`;
  call['receivedAt'] = facts.receivedAt;
  if (typeof sentAt === 'string') call['sentAt'] = sentAt;
  if (corrected !== undefined) {
    call['originalTimestamp'] = timestamp;
    call['timestamp'] = corrected;
  } else {
    call['timestamp'] = facts.receivedAt;
  }

  const ownContext = isPlainObject(call['context']) ? call['context'] : undefined;
  const context = facts.context ? { ...facts.context, ...ownContext } : (ownContext ?? {});
  if (context['ip'] === undefined && facts.ip !== undefined) context['ip'] = facts.ip;
  call['context'] = context;

  const ownIntegrations = isPlainObject(call['integrations']) ? call['integrations'] : undefined;
  call['integrations'] = facts.integrations ? { ...facts.integrations, ...ownIntegrations } : (ownIntegrations ?? {});
  call['version'] = TRACKING_API_VERSION;
  return call as SpecEvent;
}

/**
 * `timestamp = receivedAt − (sentAt − originalTimestamp)`: the gap between the client's send
 * time and our receipt is taken as clock skew. Without `sentAt` there is nothing to correct
 * with, so the client's time stands (historical imports). Both were validated as timestamps;
 * undefined when the corrected time falls outside the years they may name.
 */
function correctedTimestamp(original: string, sentAt: string | undefined, facts: RequestFacts): string | undefined {
  const originalMs = Date.parse(original);
  const sentAtMs = sentAt === undefined ? NaN : Date.parse(sentAt);
  const ms = Number.isNaN(sentAtMs) ? originalMs : facts.receivedAtMs - (sentAtMs - originalMs);
  return isStorableTime(ms) ? new Date(ms).toISOString() : undefined;
}
