import { isPlainObject } from '@manifold/json';

// Field rules of Intercom's contacts, companies and data events.
// Each problem is [code, message] as in Intercom's error.list bodies.

export type IntercomProblem = [code: string, message: string];

/** Unix seconds stay below this until the year 5138; anything larger is milliseconds. */
const MAX_UNIX_SECONDS = 1e11;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const MAX_METADATA_KEYS = 10;

export const KNOWN_VERSIONS = [
  '1.0',
  '1.1',
  '1.2',
  '1.3',
  '1.4',
  '2.0',
  '2.1',
  '2.2',
  '2.3',
  '2.4',
  '2.5',
  '2.6',
  '2.7',
  '2.8',
  '2.9',
  '2.10',
  '2.11',
  '2.12',
  '2.13',
  '2.14',
  'Unstable',
  'Preview',
];

function unixSecondsProblem(body: Record<string, unknown>, key: string): IntercomProblem | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= MAX_UNIX_SECONDS) {
    return ['parameter_invalid', `${key} must be a UNIX timestamp in seconds`];
  }
  return undefined;
}

function typed(
  body: Record<string, unknown>,
  key: string,
  type: 'string' | 'number' | 'boolean',
): IntercomProblem | undefined {
  const value = body[key];
  if (value === undefined || value === null || typeof value === type) return undefined;
  return ['parameter_invalid', `${key} must be a ${type}`];
}

/** Checks a `custom_attributes` object against the workspace's data attributes. */
export type CustomAttributesCheck = (value: unknown) => IntercomProblem | undefined;

/** Problems of a POST /contacts or PUT /contacts/{id} body. */
export function contactProblem(
  body: Record<string, unknown>,
  creating: boolean,
  customAttributes: CustomAttributesCheck,
): IntercomProblem | undefined {
  if (creating && body['email'] === undefined && body['external_id'] === undefined && body['role'] === undefined) {
    return ['parameter_invalid', 'Contact must have an email, external_id or role'];
  }
  const role = body['role'];
  if (role !== undefined && role !== 'user' && role !== 'lead')
    return ['parameter_invalid', 'role must be user or lead'];
  if ((role ?? 'user') === 'lead' && body['external_id'] !== undefined && creating) {
    return ['parameter_invalid', 'external_id cannot be set on a lead'];
  }
  for (const key of ['external_id', 'email', 'phone', 'name', 'avatar']) {
    const problem = typed(body, key, 'string');
    if (problem) return problem;
  }
  if (typeof body['email'] === 'string' && !EMAIL.test(body['email'])) return ['parameter_invalid', 'email is invalid'];
  for (const key of ['signed_up_at', 'last_seen_at']) {
    const problem = unixSecondsProblem(body, key);
    if (problem) return problem;
  }
  const owner = body['owner_id'];
  if (owner !== undefined && owner !== null && !Number.isInteger(owner))
    return ['parameter_invalid', 'owner_id must be an integer'];
  return typed(body, 'unsubscribed_from_emails', 'boolean') ?? customAttributes(body['custom_attributes']);
}

/** Problems of a POST /companies body. */
export function companyProblem(
  body: Record<string, unknown>,
  customAttributes: CustomAttributesCheck,
): IntercomProblem | undefined {
  const id = body['company_id'];
  if (typeof id !== 'string' || id === '') return ['parameter_not_found', 'company_id is required'];
  for (const key of ['name', 'plan', 'website', 'industry']) {
    const problem = typed(body, key, 'string');
    if (problem) return problem;
  }
  const size = body['size'];
  if (size !== undefined && size !== null && !Number.isInteger(size))
    return ['parameter_invalid', 'size must be an integer'];
  return (
    typed(body, 'monthly_spend', 'number') ??
    unixSecondsProblem(body, 'remote_created_at') ??
    customAttributes(body['custom_attributes'])
  );
}

/** Problems of a POST /events body (the user lookup is the emulator's). */
export function eventProblem(body: Record<string, unknown>): IntercomProblem | undefined {
  if (typeof body['event_name'] !== 'string' || body['event_name'].trim() === '') {
    return ['parameter_not_found', 'event_name is required'];
  }
  if (body['created_at'] === undefined) return ['parameter_not_found', 'created_at is required'];
  const time = unixSecondsProblem(body, 'created_at');
  if (time) return time;
  if (body['user_id'] === undefined && body['id'] === undefined && body['email'] === undefined) {
    return ['parameter_not_found', 'user_id, id or email is required'];
  }
  const metadata = body['metadata'];
  if (metadata === undefined) return undefined;
  if (!isPlainObject(metadata)) return ['parameter_invalid', 'metadata must be an object'];
  for (const [key, value] of Object.entries(metadata)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) continue;
    if (isPlainObject(value) && isRichLink(value)) continue;
    if (isPlainObject(value) && isMoney(value)) continue;
    if (isPlainObject(value) && 'amount' in value) {
      return ['parameter_invalid', `metadata '${key}': amount must be an integer number of cents with a currency`];
    }
    return [
      'parameter_invalid',
      `metadata '${key}' must be a string, number, link or money: nested data is not supported`,
    ];
  }
  return undefined;
}

function isRichLink(value: Record<string, unknown>): boolean {
  return Object.keys(value).length === 2 && typeof value['url'] === 'string' && typeof value['value'] === 'string';
}

function isMoney(value: Record<string, unknown>): boolean {
  return Object.keys(value).length === 2 && Number.isInteger(value['amount']) && typeof value['currency'] === 'string';
}
