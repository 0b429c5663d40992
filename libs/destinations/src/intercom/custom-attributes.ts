import { isPlainObject, type Notices } from '@manifold/destination-kit';

// Traits as Intercom custom attributes. Intercom takes flat values only (text of at most 255
// characters, numbers, booleans), under names of letters, digits, `_`, `-` and currency symbols
// that are not one of its standard attributes. Nested objects are flattened (`address.city` →
// `address_city`), lists sent as JSON text; an attribute that still does not fit is left out
// with a notice and the others are sent.

export type IntercomModel = 'contact' | 'company';

/** Intercom's standard attributes: set through their own fields, never as custom attributes. */
const STANDARD: Record<IntercomModel, readonly string[]> = {
  contact: [
    'id',
    'type',
    'role',
    'external_id',
    'email',
    'phone',
    'name',
    'avatar',
    'owner_id',
    'signed_up_at',
    'last_seen_at',
    'created_at',
    'updated_at',
    'unsubscribed_from_emails',
    'language_override',
    'browser',
    'os',
    'location',
    'companies',
    'tags',
    'notes',
    'social_profiles',
    'custom_attributes',
  ],
  company: [
    'id',
    'type',
    'company_id',
    'name',
    'plan',
    'size',
    'website',
    'industry',
    'monthly_spend',
    'remote_created_at',
    'created_at',
    'updated_at',
    'user_count',
    'session_count',
    'tags',
    'segments',
    'custom_attributes',
  ],
};

const NAME = /^[\p{L}\p{N}_\-\p{Sc}]+$/u;
export const MAX_TEXT_CHARS = 255;

/** A flat value Intercom takes for a custom attribute. */
export type AttributeValue = string | number | boolean;

/** Why Intercom would refuse a custom attribute of this name, if it would. */
function nameProblem(name: string, model: IntercomModel): string | undefined {
  if (STANDARD[model].includes(name.toLowerCase())) return 'a standard Intercom attribute, not a custom one';
  if (!NAME.test(name)) return 'a name Intercom does not take (letters, digits, _, - and currency symbols only)';
  return undefined;
}

/** The value as Intercom takes it, or why it cannot. */
function flatValue(value: unknown, field: string, notices: Notices): AttributeValue | undefined {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    notices.dropped(field, 'not a finite number');
    return undefined;
  }
  if (typeof value === 'boolean') return value;
  let text: string;
  if (typeof value === 'string') text = value;
  else {
    text = JSON.stringify(value);
    notices.converted(field, 'list', 'string');
  }
  if (text.length > MAX_TEXT_CHARS) {
    notices.dropped(field, `text longer than ${MAX_TEXT_CHARS} characters`);
    return undefined;
  }
  return text;
}

/**
 * Custom attributes for a contact or company from `values` (traits) without the keys in `skip`
 * (mapped to standard fields); notices are recorded under `field` ("custom_attributes", …).
 */
export function customAttributesFrom(
  values: Record<string, unknown>,
  skip: readonly string[],
  model: IntercomModel,
  field: string,
  notices: Notices,
): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  const add = (name: string, value: unknown) => {
    const path = `${field}.${name}`;
    if (value === null || value === undefined) return;
    if (isPlainObject(value)) {
      notices.reshaped(path, `object flattened to ${name}_…`);
      for (const [key, inner] of Object.entries(value)) add(`${name}_${key}`, inner);
      return;
    }
    const problem = nameProblem(name, model);
    if (problem) {
      notices.dropped(path, problem);
      return;
    }
    const flat = flatValue(value, path, notices);
    if (flat !== undefined) out[name] = flat;
  };
  for (const [name, value] of Object.entries(values)) if (!skip.includes(name)) add(name, value);
  return out;
}
