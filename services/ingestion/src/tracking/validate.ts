import type { CallType } from '@manifold/events';
import { isPlainObject } from '@manifold/json';
import type { Rejection } from '../http/errors';

const MAX_MESSAGE_ID_LENGTH = 100;

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/**
 * The instants a timestamp may name: the four-digit years, 0001 to 9999, which every destination
 * and warehouse can store and ISO-8601 writes without an expanded year. (JavaScript reads dates
 * up to the year 275760, and later ones not at all.)
 */
const EARLIEST_MS = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST_MS = Date.parse('9999-12-31T23:59:59.999Z');

/** Whether a time in milliseconds lies in the years 0001 to 9999 (false for NaN). */
export function isStorableTime(ms: number): boolean {
  return ms >= EARLIEST_MS && ms <= LATEST_MS;
}

/** A string Date.parse reads as a time in the years 0001 to 9999. */
export function isTimestamp(value: unknown): value is string {
  return typeof value === 'string' && isStorableTime(Date.parse(value));
}

export const TIMESTAMP_RULE = 'an ISO-8601 date in the years 0001 to 9999';

function reject(code: Rejection['code'], message: string): Rejection {
  return { code, message };
}

/**
 * Whether a `userId` or `anonymousId` is given. `null` and `""` count as absent, as Segment and its
 * SDKs treat them: analytics.js sends `userId: null` for anonymous visitors, and some SDKs `""`.
 */
function isIdGiven(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/**
 * Checks one call against the Spec (docs/event-spec.md#discard-codes). Returns why it breaks it, or
 * undefined when it is valid.
 */
export function validateCall(call: Record<string, unknown>, type: CallType): Rejection | undefined {
  const { userId, anonymousId } = call;
  if (isIdGiven(userId) && typeof userId !== 'string') {
    return reject('id_not_string', 'userId must be a string');
  }
  if (isIdGiven(anonymousId) && typeof anonymousId !== 'string') {
    return reject('id_not_string', 'anonymousId must be a string');
  }
  if (!isIdGiven(userId) && !isIdGiven(anonymousId)) {
    return reject('no_user_anon_id', `${type} needs a userId or an anonymousId (a non-empty string)`);
  }

  const messageId = call['messageId'];
  if (isPresent(messageId) && (!isNonEmptyString(messageId) || messageId.length > MAX_MESSAGE_ID_LENGTH)) {
    return reject('bad_request', `messageId must be a non-empty string of at most ${MAX_MESSAGE_ID_LENGTH} characters`);
  }
  for (const field of ['context', 'integrations'] as const) {
    if (isPresent(call[field]) && !isPlainObject(call[field])) {
      return reject('bad_request', `${field} must be an object`);
    }
  }
  for (const field of ['timestamp', 'sentAt'] as const) {
    if (isPresent(call[field]) && !isTimestamp(call[field])) {
      return reject('bad_request', `${field} must be ${TIMESTAMP_RULE}`);
    }
  }
  if (isPresent(call['properties']) && !isPlainObject(call['properties'])) {
    return reject('properties_not_object', 'properties must be an object');
  }
  if (isPresent(call['traits']) && !isPlainObject(call['traits'])) {
    return reject('traits_not_object', 'traits must be an object');
  }

  switch (type) {
    case 'track': {
      const event = call['event'];
      if (!isPresent(event)) return reject('event_not_defined', 'track needs an event name');
      if (!isNonEmptyString(event)) return reject('event_not_string', 'event must be a non-empty string');
      return undefined;
    }
    case 'page':
    case 'screen':
      if (isPresent(call['name']) && !isNonEmptyString(call['name'])) {
        return reject('name_not_string', 'name must be a non-empty string when present');
      }
      if (isPresent(call['category']) && !isNonEmptyString(call['category'])) {
        return reject('category_not_string', 'category must be a non-empty string when present');
      }
      return undefined;
    case 'group':
      return requiredId(call, 'groupId', 'group');
    case 'alias':
      return requiredId(call, 'previousId', 'alias');
    case 'identify':
      return undefined;
  }
}

function requiredId(call: Record<string, unknown>, field: string, type: CallType): Rejection | undefined {
  const value = call[field];
  if (!isPresent(value)) return reject('id_required', `${type} needs a ${field}`);
  if (!isNonEmptyString(value)) return reject('id_not_string', `${field} must be a non-empty string`);
  return undefined;
}
