import { isPlainObject } from '@manifold/json';

// Zendesk Support record rules (libs/destinations/src/zendesk/README.md#the-api): user and
// organization attributes and custom field values of their field's type. Problems are the
// `details` of a 422 RecordInvalid: `{attribute: [{description, error}]}`.

export type Details = Record<string, { description: string; error: string }[]>;

export interface ZendeskField {
  key: string;
  type: 'text' | 'textarea' | 'checkbox' | 'date' | 'integer' | 'decimal' | 'regexp' | 'dropdown';
  title: string;
  active?: boolean;
}

export const FIELD_TYPES = ['text', 'textarea', 'checkbox', 'date', 'integer', 'decimal', 'regexp', 'dropdown'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const add = (details: Details, attribute: string, description: string, error = 'InvalidValue') =>
  (details[attribute] ??= []).push({ description, error });

function valueFits(type: ZendeskField['type'], value: unknown): boolean {
  switch (type) {
    case 'checkbox':
      return typeof value === 'boolean';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'decimal':
      return typeof value === 'number' && Number.isFinite(value);
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value);
    default:
      return typeof value === 'string';
  }
}

/** Problems of custom field values; keys without a field are returned apart (Zendesk ignores them). */
export function fieldValueProblems(
  values: unknown,
  fields: ReadonlyMap<string, ZendeskField>,
  attribute: string,
  details: Details,
): string[] {
  if (values === undefined) return [];
  if (!isPlainObject(values)) {
    add(details, attribute, `${attribute} must be an object`);
    return [];
  }
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const field = fields.get(key);
    if (!field || field.active === false) ignored.push(key);
    else if (value !== null && !valueFits(field.type, value)) {
      add(details, `${attribute}.${key}`, `${field.title} is not a valid ${field.type} value`);
    }
  }
  return ignored;
}

export function userDetails(user: Record<string, unknown>): Details {
  const details: Details = {};
  if (user['email'] !== undefined && (typeof user['email'] !== 'string' || !EMAIL.test(user['email']))) {
    add(details, 'email', `Email: ${String(user['email'])} is not properly formatted`);
  }
  for (const key of ['name', 'external_id', 'phone', 'time_zone']) {
    if (user[key] !== undefined && typeof user[key] !== 'string') add(details, key, `${key} must be a string`);
  }
  if (user['organization_id'] !== undefined && !Number.isInteger(user['organization_id'])) {
    add(details, 'organization_id', 'organization_id must be an integer');
  }
  if (user['verified'] !== undefined && typeof user['verified'] !== 'boolean')
    add(details, 'verified', 'must be a boolean');
  if (user['role'] !== undefined && !['end-user', 'agent', 'admin'].includes(String(user['role']))) {
    add(details, 'role', 'role is not valid');
  }
  return details;
}

export function organizationDetails(organization: Record<string, unknown>): Details {
  const details: Details = {};
  for (const key of ['name', 'external_id', 'details', 'notes']) {
    if (organization[key] !== undefined && typeof organization[key] !== 'string')
      add(details, key, `${key} must be a string`);
  }
  for (const key of ['domain_names', 'tags']) {
    const value = organization[key];
    if (value !== undefined && (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))) {
      add(details, key, `${key} must be a list of strings`);
    }
  }
  return details;
}
