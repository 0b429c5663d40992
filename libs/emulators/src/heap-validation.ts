import { isPlainObject } from '@manifold/json';

// What Heap's server-side API refuses in one event, user or account of a request
// (libs/destinations/src/heap/README.md#the-api). A single problem fails the whole request (400).

const MAX_EVENT_CHARS = 1024;
const MAX_IDENTITY_CHARS = 255;
const MAX_TEXT_CHARS = 1024;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const MAX_USER_ID = 2 ** 53 - 1;

function propertiesProblem(properties: unknown, where: string): string | undefined {
  if (properties === undefined) return undefined;
  if (!isPlainObject(properties)) return `${where}.properties must be an object`;
  for (const [key, value] of Object.entries(properties)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (typeof v === 'number' && Number.isFinite(v)) continue;
      // A list is stored joined with "||" and cut at 1024, so only a lone text must be shorter.
      if (typeof v === 'string' && (Array.isArray(value) || v.length < MAX_TEXT_CHARS)) continue;
      return typeof v === 'string'
        ? `${where}.properties.${key} must be shorter than ${MAX_TEXT_CHARS} characters`
        : `${where}.properties.${key} must be a number or a string`;
    }
  }
  return undefined;
}

function identityProblem(identity: unknown, where: string): string | undefined {
  if (typeof identity !== 'string' || identity === '') return `${where}.identity must be a non-empty string`;
  if (identity.length > MAX_IDENTITY_CHARS) return `${where}.identity must be at most ${MAX_IDENTITY_CHARS} characters`;
  return undefined;
}

/** Why Heap refuses this tracked event, if it does. */
export function eventProblem(event: unknown, where: string): string | undefined {
  if (!isPlainObject(event)) return `${where} must be an object`;
  const name = event['event'];
  if (typeof name !== 'string' || name === '') return `${where}.event is required`;
  if (name.length > MAX_EVENT_CHARS) return `${where}.event must be at most ${MAX_EVENT_CHARS} characters`;
  const hasIdentity = event['identity'] !== undefined;
  const hasUserId = event['user_id'] !== undefined;
  if (hasIdentity === hasUserId) return `${where} needs exactly one of identity and user_id`;
  if (hasIdentity) {
    const problem = identityProblem(event['identity'], where);
    if (problem) return problem;
  } else {
    const id = event['user_id'];
    if (typeof id !== 'string' || !/^\d+$/.test(id) || Number(id) > MAX_USER_ID) {
      return `${where}.user_id must be a numeric string from 0 to 2^53-1`;
    }
  }
  const timestamp = event['timestamp'];
  if (
    timestamp !== undefined &&
    (typeof timestamp !== 'string' || !ISO_8601.test(timestamp) || Number.isNaN(Date.parse(timestamp)))
  ) {
    return `${where}.timestamp must be an ISO-8601 date-time`;
  }
  for (const key of ['idempotency_key', 'session_id']) {
    if (event[key] !== undefined && typeof event[key] !== 'string') return `${where}.${key} must be a string`;
  }
  return propertiesProblem(event['properties'], where);
}

/** Why Heap refuses these user properties, if it does. */
export function userProblem(user: unknown, where: string): string | undefined {
  if (!isPlainObject(user)) return `${where} must be an object`;
  const problem = identityProblem(user['identity'], where);
  if (problem) return problem;
  if (!isPlainObject(user['properties'])) return `${where}.properties must be an object`;
  const id = Object.keys(user['properties']).find((key) => key.toLowerCase() === 'id');
  if (id !== undefined) return `${where}.properties.${id}: "id" cannot be a user property`;
  return propertiesProblem(user['properties'], where);
}

/** Why Heap refuses these account properties, if it does. */
export function accountProblem(account: unknown, where: string): string | undefined {
  if (!isPlainObject(account)) return `${where} must be an object`;
  const id = account['account_id'];
  if ((typeof id !== 'string' || id === '') && typeof id !== 'number') return `${where}.account_id is required`;
  if (!isPlainObject(account['properties'])) return `${where}.properties must be an object`;
  return propertiesProblem(account['properties'], where);
}
