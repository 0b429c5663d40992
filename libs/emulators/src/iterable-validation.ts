import { isPlainObject } from '@manifold/json';

// Iterable request rules (libs/destinations/src/iterable/README.md#the-api): how users are named
// per project type, event and purchase fields. Each problem is Iterable's `{code, msg}`.

export type ProjectType = 'email' | 'userId' | 'hybrid';

export interface IterableProblem {
  code: 'BadParams' | 'InvalidEmailAddressError' | 'BadJsonBody';
  msg: string;
  /** For bulk answers: which list the item lands in. */
  list: 'invalidEmails' | 'invalidUserIds' | 'disallowedEventNames' | 'invalidData';
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Iterable dates: `yyyy-MM-dd HH:mm:ss ZZ`, with optional milliseconds, or `yyyy-MM-dd`. */
export const ITERABLE_DATE = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2}(\.\d{3})? [+-]\d{2}:\d{2})?$/;

const bad = (msg: string, list: IterableProblem['list'] = 'invalidData'): IterableProblem => ({
  code: 'BadParams',
  msg,
  list,
});

/** The problem with how a request names its user, if any. */
export function identityProblem(user: Record<string, unknown>, projectType: ProjectType): IterableProblem | undefined {
  const { email, userId } = user;
  if (email !== undefined && (typeof email !== 'string' || !EMAIL.test(email))) {
    return { code: 'InvalidEmailAddressError', msg: `Invalid email: ${String(email)}`, list: 'invalidEmails' };
  }
  if (userId !== undefined && (typeof userId !== 'string' || userId === '')) {
    return bad('userId must be a non-empty string', 'invalidUserIds');
  }
  if (projectType === 'email' && email === undefined) return bad('email is required in this project');
  if (projectType === 'userId' && userId === undefined) return bad('userId is required in this project');
  if (email === undefined && userId === undefined) return bad('Either email or userId must be passed');
  return undefined;
}

function dataFieldsProblem(value: unknown, field = 'dataFields'): IterableProblem | undefined {
  if (value !== undefined && !isPlainObject(value)) return bad(`${field} must be an object`);
  return undefined;
}

function createdAtProblem(value: unknown): IterableProblem | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= 1e11) {
    return bad('createdAt must be an integer timestamp in seconds');
  }
  return undefined;
}

function integerProblem(object: Record<string, unknown>, key: string): IterableProblem | undefined {
  const value = object[key];
  return value !== undefined && (typeof value !== 'number' || !Number.isInteger(value))
    ? bad(`${key} must be an integer`)
    : undefined;
}

export function userUpdateProblem(user: unknown, projectType: ProjectType): IterableProblem | undefined {
  if (!isPlainObject(user)) return bad('user must be an object');
  for (const flag of ['preferUserId', 'mergeNestedObjects']) {
    if (user[flag] !== undefined && typeof user[flag] !== 'boolean') return bad(`${flag} must be a boolean`);
  }
  return identityProblem(user, projectType) ?? dataFieldsProblem(user['dataFields']);
}

export function eventProblem(
  event: unknown,
  projectType: ProjectType,
  disallowed: readonly string[],
): IterableProblem | undefined {
  if (!isPlainObject(event)) return bad('event must be an object');
  const identity = identityProblem(event, projectType);
  if (identity) return identity;
  const name = event['eventName'];
  if (typeof name !== 'string' || name === '') return bad('eventName is required');
  if (disallowed.includes(name)) return bad(`Event name ${name} is not allowed`, 'disallowedEventNames');
  if (event['id'] !== undefined && (typeof event['id'] !== 'string' || event['id'] === '')) {
    return bad('id must be a non-empty string');
  }
  return (
    createdAtProblem(event['createdAt']) ??
    dataFieldsProblem(event['dataFields']) ??
    integerProblem(event, 'campaignId') ??
    integerProblem(event, 'templateId')
  );
}

function itemProblem(item: unknown, index: number): IterableProblem | undefined {
  if (!isPlainObject(item)) return bad(`items[${index}] must be an object`);
  if (typeof item['id'] !== 'string' || item['id'] === '') return bad(`items[${index}].id is required`);
  if (typeof item['name'] !== 'string' || item['name'] === '') return bad(`items[${index}].name is required`);
  if (typeof item['price'] !== 'number' || !Number.isFinite(item['price'])) {
    return bad(`items[${index}].price must be a number`);
  }
  const quantity = item['quantity'];
  if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 0) {
    return bad(`items[${index}].quantity must be an integer`);
  }
  const categories = item['categories'];
  if (categories !== undefined && (!Array.isArray(categories) || categories.some((c) => typeof c !== 'string'))) {
    return bad(`items[${index}].categories must be a list of strings`);
  }
  return dataFieldsProblem(item['dataFields'], `items[${index}].dataFields`);
}

export function purchaseProblem(body: Record<string, unknown>, projectType: ProjectType): IterableProblem | undefined {
  const user = userUpdateProblem(body['user'], projectType);
  if (user) return user;
  if (typeof body['total'] !== 'number' || !Number.isFinite(body['total'])) return bad('total is required (a number)');
  const items = body['items'];
  if (!Array.isArray(items)) return bad('items is required (a list)');
  for (const [index, item] of items.entries()) {
    const found = itemProblem(item, index);
    if (found) return found;
  }
  if (body['id'] !== undefined && typeof body['id'] !== 'string') return bad('id must be a string');
  return (
    createdAtProblem(body['createdAt']) ??
    dataFieldsProblem(body['dataFields']) ??
    integerProblem(body, 'campaignId') ??
    integerProblem(body, 'templateId')
  );
}
