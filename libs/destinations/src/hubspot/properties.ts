import { snakeCase } from '@manifold/events';
import { isPlainObject, type Notices } from '@manifold/destination-kit';

// HubSpot takes property values as strings, numbers or booleans under internal names of lower-case
// letters, digits and `_`. Anything else is converted the way HubSpot's own importers read it:
// lists joined with `;` (multiple-checkbox values), objects as JSON text, null as "" (clears the
// property), names in snake case. Each conversion is recorded as a notice.

export type HubspotValue = string | number | boolean;

const PROPERTY_NAME = /^[a-z][a-z0-9_]*$/;

/** The parts of a Spec address that become HubSpot's address properties. */
export const ADDRESS_PARTS: ReadonlySet<string> = new Set([
  'street',
  'city',
  'state',
  'country',
  'postalCode',
  'postal_code',
]);

/**
 * A trait holding an object whose known parts were mapped to standard properties (an address):
 * the trait is not sent again, and each part HubSpot has no property for is left out with a notice.
 */
export function mappedObjectTrait(
  traits: Record<string, unknown>,
  key: string,
  known: ReadonlySet<string>,
  object: string,
  skip: Set<string>,
  notices: Notices,
): void {
  const value = traits[key];
  if (!isPlainObject(value)) return;
  skip.add(key);
  for (const part of Object.keys(value)) {
    if (!known.has(part)) notices.dropped(`traits.${key}.${part}`, `HubSpot ${object} have no ${key} ${part}`);
  }
}

/** An internal property name for a trait or property key, or undefined when none can be made. */
export function propertyName(key: string, at: string, notices: Notices): string | undefined {
  if (PROPERTY_NAME.test(key)) return key;
  const name = snakeCase(key);
  if (!PROPERTY_NAME.test(name)) {
    notices.dropped(`${at}.${key}`, 'no HubSpot property name can be made of it');
    return undefined;
  }
  notices.reshaped(`${at}.${key}`, `renamed ${name} (HubSpot property names are lower-case snake case)`);
  return name;
}

/** One value as HubSpot takes it. */
export function propertyValue(value: unknown, field: string, notices: Notices): HubspotValue {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (value === null || value === undefined) {
    notices.reshaped(field, 'null sent as "" (clears the property)');
    return '';
  }
  if (Array.isArray(value) && value.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) {
    notices.reshaped(field, 'list joined with ";" (multiple-checkbox value)');
    return value.join(';');
  }
  notices.reshaped(field, `${isPlainObject(value) ? 'object' : 'list'} sent as JSON text`);
  return JSON.stringify(value);
}

/**
 * CRM properties of an object: the standard ones already mapped, then every other key of
 * `extra` under its HubSpot name (a standard one mapped from the same trait wins).
 */
export function crmProperties(
  standard: Record<string, unknown>,
  extra: Record<string, unknown>,
  skip: ReadonlySet<string>,
  at: string,
  notices: Notices,
): Record<string, HubspotValue> {
  const out: Record<string, HubspotValue> = {};
  for (const [key, value] of Object.entries(extra)) {
    if (skip.has(key) || value === undefined) continue;
    const name = propertyName(key, at, notices);
    if (name === undefined || name in standard) continue;
    out[name] = propertyValue(value, `${at}.${key}`, notices);
  }
  for (const [name, value] of Object.entries(standard)) {
    if (value === undefined || value === null) continue;
    out[name] = typeof value === 'string' ? value.trim() : propertyValue(value, `${at}.${name}`, notices);
  }
  return out;
}
