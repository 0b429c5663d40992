import { isPlainObject, type Notices } from '@manifold/destination-kit';
import type { FieldValues, SObject } from './api';

// Traits → Salesforce field values. Standard fields come from Segment's trait names (a table per
// object); a trait already named as a custom field (`Plan__c`) goes as it is. Any other trait has
// no field to land in (Salesforce refuses a whole record naming an unknown field), so it is left
// out with a notice that says how to keep it: a custom field of that name.

/** Standard field ← the traits it is read from, first present wins. */
type FieldTable = Record<string, readonly string[]>;

const PERSON: FieldTable = {
  FirstName: ['first_name', 'firstName'],
  LastName: ['last_name', 'lastName'],
  Email: ['email'],
  Phone: ['phone'],
  Title: ['title'],
  Description: ['description'],
};

const ADDRESS_PARTS: Record<string, readonly string[]> = {
  Street: ['street'],
  City: ['city'],
  State: ['state'],
  PostalCode: ['postal_code', 'postalCode'],
  Country: ['country'],
};

interface ObjectShape {
  fields: FieldTable;
  /** Prefix of the address fields (`Mailing` → MailingCity; a Lead's have none). */
  addressPrefix: string;
}

const SHAPES: Record<SObject, ObjectShape> = {
  Lead: { fields: { ...PERSON, Website: ['website'] }, addressPrefix: '' },
  Contact: { fields: PERSON, addressPrefix: 'Mailing' },
  Account: {
    fields: {
      Name: ['name'],
      Phone: ['phone'],
      Website: ['website'],
      Industry: ['industry'],
      Description: ['description'],
      NumberOfEmployees: ['employees'],
    },
    addressPrefix: 'Billing',
  },
};

const CUSTOM_FIELD = /^[A-Za-z][A-Za-z0-9_]*__c$/;

/** One value as Salesforce takes it: lists of plain values as a multi-select picklist (`a;b`), objects as JSON text. */
export function fieldValue(value: unknown, at: string, notices: Notices): string | number | boolean | null {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (Array.isArray(value) && value.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) {
    notices.reshaped(at, 'list joined with ";" (multi-select picklist value)');
    return value.join(';');
  }
  notices.reshaped(at, `${isPlainObject(value) ? 'object' : 'value'} sent as JSON text`);
  return JSON.stringify(value);
}

/** The fields of a Lead, Contact or Account from the call's traits (and extra fields a mapping gives, which win). */
export function recordFields(
  object: SObject,
  traits: Record<string, unknown>,
  extra: Record<string, unknown>,
  notices: Notices,
): FieldValues {
  const shape = SHAPES[object];
  const out: FieldValues = {};
  const used = new Set<string>();
  for (const [field, sources] of Object.entries(shape.fields)) {
    const source = sources.find((key) => traits[key] !== undefined);
    if (source === undefined) continue;
    used.add(source);
    out[field] = fieldValue(traits[source], `traits.${source}`, notices);
  }
  if (object === 'Account' && typeof out['NumberOfEmployees'] === 'string') {
    const employees = Number(out['NumberOfEmployees']);
    if (Number.isInteger(employees)) {
      notices.reshaped('traits.employees', 'string to number');
      out['NumberOfEmployees'] = employees;
    }
  }
  if (object !== 'Account') nameTrait(traits, out, used, notices);
  companyTrait(object, traits, out, used, notices);
  addressTrait(shape, traits, out, used, notices);
  for (const [key, value] of Object.entries(traits)) {
    if (used.has(key) || value === undefined) continue;
    if (CUSTOM_FIELD.test(key)) out[key] = fieldValue(value, `traits.${key}`, notices);
    else
      notices.dropped(
        `traits.${key}`,
        `no ${object} field is named ${key} (send it as a custom field, e.g. ${customName(key)})`,
      );
  }
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) continue;
    if (/^[A-Za-z][A-Za-z0-9_]*$/.test(key)) out[key] = fieldValue(value, `customFields.${key}`, notices);
    else notices.dropped(`customFields.${key}`, 'not a Salesforce field API name');
  }
  return out;
}

/**
 * A person's `name` when no first or last name is given: the last word the LastName, the words
 * before it the FirstName (Leads and Contacts have no single name field to write).
 */
function nameTrait(traits: Record<string, unknown>, out: FieldValues, used: Set<string>, notices: Notices): void {
  const name = traits['name'];
  if (name === undefined) return;
  used.add('name');
  const words = typeof name === 'string' ? name.trim().split(/\s+/).filter(Boolean) : [];
  if (out['FirstName'] !== undefined || out['LastName'] !== undefined || words.length === 0) {
    notices.dropped('traits.name', 'the first and last names are given apart (or the name is not text)');
    return;
  }
  out['LastName'] = words[words.length - 1]!;
  if (words.length > 1) out['FirstName'] = words.slice(0, -1).join(' ');
  notices.reshaped('traits.name', 'split into FirstName and LastName');
}

/** A Lead's Company from `company.name` or a text `company`; Contacts and Accounts have no such field. */
function companyTrait(
  object: SObject,
  traits: Record<string, unknown>,
  out: FieldValues,
  used: Set<string>,
  notices: Notices,
): void {
  const company = traits['company'];
  if (company === undefined) return;
  used.add('company');
  if (object !== 'Lead') {
    notices.dropped('traits.company', `a ${object} has no Company field`);
    return;
  }
  const name = isPlainObject(company) ? company['name'] : company;
  if (typeof name === 'string') out['Company'] = name;
  else notices.dropped('traits.company', 'no company name in it');
  if (isPlainObject(company)) {
    for (const part of Object.keys(company)) {
      if (part !== 'name') notices.dropped(`traits.company.${part}`, 'a Lead has only the company name');
    }
  }
}

function addressTrait(
  shape: ObjectShape,
  traits: Record<string, unknown>,
  out: FieldValues,
  used: Set<string>,
  notices: Notices,
): void {
  const address = traits['address'];
  if (!isPlainObject(address)) return;
  used.add('address');
  const known = new Set<string>();
  for (const [field, parts] of Object.entries(ADDRESS_PARTS)) {
    const part = parts.find((p) => address[p] !== undefined);
    parts.forEach((p) => known.add(p));
    if (part !== undefined)
      out[`${shape.addressPrefix}${field}`] = fieldValue(address[part], `traits.address.${part}`, notices);
  }
  for (const part of Object.keys(address)) {
    if (!known.has(part)) notices.dropped(`traits.address.${part}`, 'Salesforce addresses have no such part');
  }
}

/** The custom field a trait could be kept in: `plan_type` → `Plan_Type__c`. */
function customName(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1));
  return `${words.join('_') || 'Field'}__c`;
}
