import { isPlainObject } from '@manifold/json';

// SendGrid Marketing Campaigns contact rules (libs/destinations/src/sendgrid/README.md#the-api):
// identifiers, lengths, email syntax and custom field values keyed by existing field ids. Each
// problem is one of SendGrid's `{field, message}` errors.

export interface SendgridError {
  field: string | null;
  message: string;
}

export interface CustomFieldDefinition {
  id: string;
  name: string;
  field_type: 'Text' | 'Number' | 'Date';
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const IDENTIFIERS = ['email', 'phone_number_id', 'external_id', 'anonymous_id'] as const;
const MAX_CHARS: Record<string, number> = {
  email: 254,
  external_id: 254,
  anonymous_id: 254,
  phone_number_id: 254,
  first_name: 50,
  last_name: 50,
  address_line_1: 100,
  address_line_2: 100,
  city: 60,
  state_province_region: 50,
  postal_code: 60,
  country: 50,
};
const KNOWN = new Set([...Object.keys(MAX_CHARS), 'alternate_emails', 'custom_fields']);

function customFieldProblems(
  value: unknown,
  at: string,
  fields: ReadonlyMap<string, CustomFieldDefinition>,
): SendgridError[] {
  if (!isPlainObject(value)) return [{ field: at, message: 'custom_fields must be an object' }];
  const problems: SendgridError[] = [];
  for (const [id, v] of Object.entries(value)) {
    const field = `${at}.${id}`;
    const definition = fields.get(id);
    if (!definition) problems.push({ field, message: `custom field ID ${id} does not exist` });
    else if (definition.field_type === 'Number' && (typeof v !== 'number' || !Number.isFinite(v))) {
      problems.push({ field, message: 'must be a number' });
    } else if (definition.field_type === 'Text' && typeof v !== 'string') {
      problems.push({ field, message: 'must be a string' });
    } else if (definition.field_type === 'Date' && (typeof v !== 'string' || Number.isNaN(Date.parse(v)))) {
      problems.push({ field, message: 'must be a date' });
    }
  }
  return problems;
}

/** The errors of one contact of an upsert, with fields named `contacts[i].…`. */
export function contactProblems(
  contact: unknown,
  index: number,
  fields: ReadonlyMap<string, CustomFieldDefinition>,
): SendgridError[] {
  const at = `contacts[${index}]`;
  if (!isPlainObject(contact)) return [{ field: at, message: 'contact must be an object' }];
  const problems: SendgridError[] = [];
  if (!IDENTIFIERS.some((key) => contact[key] !== undefined)) {
    problems.push({
      field: at,
      message: 'at least one identifier is required: email, phone_number_id, external_id or anonymous_id',
    });
  }
  for (const [key, value] of Object.entries(contact)) {
    const field = `${at}.${key}`;
    if (!KNOWN.has(key)) continue;
    if (key === 'custom_fields') problems.push(...customFieldProblems(value, field, fields));
    else if (key === 'alternate_emails') {
      if (!Array.isArray(value) || value.length > 5 || !value.every((e) => typeof e === 'string' && EMAIL.test(e))) {
        problems.push({ field, message: 'alternate_emails must be at most 5 email addresses' });
      }
    } else if (typeof value !== 'string') problems.push({ field, message: `${key} must be a string` });
    else if (value.length > (MAX_CHARS[key] as number)) {
      problems.push({ field, message: `${key} must be at most ${MAX_CHARS[key]} characters` });
    } else if (key === 'email' && !EMAIL.test(value)) problems.push({ field, message: 'email address is invalid' });
  }
  return problems;
}
