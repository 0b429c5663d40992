import { coerce, isPlainObject, type Notices } from '@manifold/destination-kit';
import { cutToLimit } from '../common/cut-text';

// GA4 user properties from Spec traits, within the Measurement Protocol's limits: at most 25,
// names of at most 24 characters (letter first, then letters, digits, underscores), not reserved,
// values strings of at most 36 characters or numbers. Personal data is never sent: Google's terms
// forbid it in Analytics.

const MAX_USER_PROPERTIES = 25;
const MAX_NAME_LENGTH = 24;
const MAX_VALUE_LENGTH = 36;
const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const RESERVED = new Set([
  'first_open_time',
  'first_visit_time',
  'last_deep_link_referrer',
  'user_id',
  'first_open_after_install',
]);
const RESERVED_PREFIXES = ['_', 'firebase_', 'ga_', 'google_'];
/** Spec traits that identify a person (Spec reserved traits); GA4 must not receive them. */
const PERSONAL_TRAITS = new Set([
  'email',
  'phone',
  'name',
  'firstName',
  'lastName',
  'first_name',
  'last_name',
  'username',
  'address',
  'birthday',
  'avatar',
]);

export type Ga4UserProperties = Record<string, { value: string | number }>;

/** `{ name: { value } }` for each trait GA4 can take; each trait left out or changed gets a notice. */
export function userPropertiesOf(traits: Record<string, unknown>, notices: Notices): Ga4UserProperties {
  const out: Ga4UserProperties = {};
  const put = (name: string, value: unknown, field: string): void => {
    if (value === undefined || value === null) return;
    const problem = nameProblem(name);
    if (problem) {
      notices.dropped(field, problem);
      return;
    }
    if (isPlainObject(value)) {
      notices.reshaped(field, 'object flattened into user properties');
      for (const [child, inner] of Object.entries(value)) put(`${name}_${child}`, inner, `${field}.${child}`);
      return;
    }
    if (name in out) {
      notices.dropped(field, `its flattened name ${name} is taken`);
      return;
    }
    if (Object.keys(out).length >= MAX_USER_PROPERTIES) {
      notices.dropped(field, `more than ${MAX_USER_PROPERTIES} user properties`);
      return;
    }
    const shaped = typeof value === 'number' ? value : notices.coerce(field, value, coerce.string);
    if (shaped === undefined) return;
    if (typeof shaped === 'string' && shaped.length > MAX_VALUE_LENGTH) {
      notices.reshaped(field, `cut to ${MAX_VALUE_LENGTH} characters`);
      out[name] = { value: cutToLimit(shaped, MAX_VALUE_LENGTH) };
      return;
    }
    out[name] = { value: shaped };
  };
  for (const [name, value] of Object.entries(traits)) {
    const field = `user_properties.${name}`;
    if (PERSONAL_TRAITS.has(name)) {
      if (value !== undefined && value !== null) notices.dropped(field, 'personal data: GA4 must not receive it');
      continue;
    }
    put(name, value, field);
  }
  return out;
}

function nameProblem(name: string): string | undefined {
  if (RESERVED.has(name) || RESERVED_PREFIXES.some((p) => name.startsWith(p))) return 'reserved name';
  if (name.length > MAX_NAME_LENGTH || !NAME.test(name)) {
    return `invalid name (a letter, then up to ${MAX_NAME_LENGTH - 1} letters, digits or underscores)`;
  }
  return undefined;
}
