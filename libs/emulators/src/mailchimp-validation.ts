import { isPlainObject } from '@manifold/json';

// Mailchimp member rules (libs/destinations/src/mailchimp/README.md#the-api): merge fields of the
// audience's tags with values of their types, ADDRESS complete, event names and properties.
// Each problem is one of the `errors[{field, message}]` of a 400 "Invalid Resource".

export interface MailchimpFieldError {
  field: string;
  message: string;
}

export interface MergeField {
  tag: string;
  name: string;
  type: 'text' | 'number' | 'address' | 'phone' | 'date' | 'birthday' | 'url' | 'imageurl' | 'zip';
}

export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
export const STATUSES = ['subscribed', 'unsubscribed', 'cleaned', 'pending', 'transactional'];

function mergeValueProblem(field: MergeField, value: unknown): string | undefined {
  if (Array.isArray(value)) return 'arrays are not valid merge field values';
  switch (field.type) {
    case 'number':
      return typeof value === 'number' || (typeof value === 'string' && value !== '' && !Number.isNaN(Number(value)))
        ? undefined
        : 'Please enter a number';
    case 'address': {
      if (!isPlainObject(value)) return 'Please enter a complete address';
      const missing = ['addr1', 'city', 'state', 'zip'].filter((k) => typeof value[k] !== 'string' || value[k] === '');
      return missing.length > 0 ? `Please enter a complete address (${missing.join(', ')})` : undefined;
    }
    case 'birthday':
      return typeof value === 'string' && /^(0[1-9]|1[0-2])\/(0[1-9]|[12]\d|3[01])$/.test(value)
        ? undefined
        : 'Please enter a birthday as MM/DD';
    case 'date':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? undefined : 'Please enter a date';
    default:
      return typeof value === 'string' || typeof value === 'number' ? undefined : 'Please enter a value';
  }
}

/** The problems with a member upsert body. */
export function memberProblems(
  body: Record<string, unknown>,
  mergeFields: ReadonlyMap<string, MergeField>,
  skipMergeValidation: boolean,
): MailchimpFieldError[] {
  const problems: MailchimpFieldError[] = [];
  const email = body['email_address'];
  if (typeof email !== 'string' || !EMAIL.test(email)) {
    problems.push({ field: 'email_address', message: 'This value should be a valid email address.' });
  }
  for (const key of ['status', 'status_if_new']) {
    if (body[key] !== undefined && !STATUSES.includes(String(body[key]))) {
      problems.push({ field: key, message: `${key} must be one of ${STATUSES.join(', ')}` });
    }
  }
  const merge = body['merge_fields'];
  if (merge !== undefined && !isPlainObject(merge))
    problems.push({ field: 'merge_fields', message: 'must be an object' });
  if (isPlainObject(merge) && !skipMergeValidation) {
    for (const [tag, value] of Object.entries(merge)) {
      const field = mergeFields.get(tag);
      const problem = field ? mergeValueProblem(field, value) : `Your merge fields were invalid: ${tag} does not exist`;
      if (problem) problems.push({ field: `merge_fields.${tag}`, message: problem });
    }
  }
  return problems;
}

/** The problems with a member event body. */
export function eventProblems(body: Record<string, unknown>): MailchimpFieldError[] {
  const problems: MailchimpFieldError[] = [];
  const name = body['name'];
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{2,30}$/.test(name)) {
    problems.push({ field: 'name', message: 'Event names are 2 to 30 letters, numbers, underscores or dashes' });
  }
  const properties = body['properties'];
  if (properties !== undefined) {
    if (!isPlainObject(properties)) problems.push({ field: 'properties', message: 'must be an object' });
    else {
      for (const [key, value] of Object.entries(properties)) {
        if (typeof value !== 'string') problems.push({ field: `properties.${key}`, message: 'must be a string' });
      }
    }
  }
  if (body['occurred_at'] !== undefined && Number.isNaN(Date.parse(String(body['occurred_at'])))) {
    problems.push({ field: 'occurred_at', message: 'must be an ISO 8601 date-time' });
  }
  if (body['is_syncing'] !== undefined && typeof body['is_syncing'] !== 'boolean') {
    problems.push({ field: 'is_syncing', message: 'must be a boolean' });
  }
  return problems;
}
