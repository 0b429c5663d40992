import { DropEventError, isPlainObject, lenient, valueType, type Notices } from '@manifold/destination-kit';
import { coalesce, compact, optionalText, record, soft } from '../common/fields';

// One SendGrid contact from an identify: the fields SendGrid has a place for (email, phone,
// userId as external_id, names, postal address), each within SendGrid's length, and every other
// trait as a custom field value under the trait's name (resolved to a field id, or created, by
// the field-definitions step, custom-fields.ts). SendGrid updates a contact only when every
// identifier it already has is sent again; the anonymousId changes from device to device, so it
// is sent only when the event has no other identifier.

export const contactFields = {
  email: lenient.email(),
  phone_number_id: lenient.phone(),
  external_id: optionalText(),
  anonymous_id: optionalText(),
  first_name: soft.string(),
  last_name: soft.string(),
  address_line_1: soft.string(),
  address_line_2: soft.string(),
  city: soft.string(),
  state_province_region: soft.string(),
  postal_code: soft.string(),
  country: soft.string(),
  traits: record(),
};

export const contactMapping = {
  email: { '@path': '$.traits.email' },
  phone_number_id: { '@path': '$.traits.phone' },
  external_id: { '@path': '$.userId' },
  anonymous_id: { '@path': '$.anonymousId' },
  first_name: coalesce('$.traits.firstName', '$.traits.first_name'),
  last_name: coalesce('$.traits.lastName', '$.traits.last_name'),
  address_line_1: coalesce('$.traits.address.street', '$.traits.address.line1'),
  address_line_2: { '@path': '$.traits.address.line2' },
  city: coalesce('$.traits.address.city', '$.traits.city'),
  state_province_region: coalesce('$.traits.address.state', '$.traits.state'),
  postal_code: coalesce('$.traits.address.postalCode', '$.traits.address.postal_code'),
  country: coalesce('$.traits.address.country', '$.traits.country'),
  traits: { '@path': '$.traits' },
} as const;

export interface ContactPayload {
  email?: string | null | undefined;
  phone_number_id?: string | null | undefined;
  external_id?: string | undefined;
  anonymous_id?: string | undefined;
  first_name?: string | null | undefined;
  last_name?: string | null | undefined;
  address_line_1?: string | null | undefined;
  address_line_2?: string | null | undefined;
  city?: string | null | undefined;
  state_province_region?: string | null | undefined;
  postal_code?: string | null | undefined;
  country?: string | null | undefined;
  traits: Record<string, unknown>;
}

/** A custom field value as SendGrid's Text and Number fields take it. */
export type CustomValue = string | number;

/** A contact before its custom fields are keyed by field id. */
export interface PlannedContact {
  contact: Record<string, unknown>;
  /** Custom field values by trait name. */
  custom: Record<string, CustomValue>;
}

/** SendGrid's longest values, in characters. */
const MAX_CHARS: Record<string, number> = {
  email: 254,
  external_id: 254,
  anonymous_id: 254,
  first_name: 50,
  last_name: 50,
  address_line_1: 100,
  address_line_2: 100,
  city: 60,
  state_province_region: 50,
  country: 50,
};

/** Traits sent as contact fields (or read from by the mapping), never as custom fields. */
const MAPPED_TRAITS = new Set([
  'email',
  'phone',
  'firstname',
  'first_name',
  'lastname',
  'last_name',
  'address',
  'city',
  'state',
  'country',
]);

/** SendGrid's reserved field names: a custom field cannot take them. */
const RESERVED = new Set([
  'email',
  'alternate_emails',
  'first_name',
  'last_name',
  'address_line_1',
  'address_line_2',
  'city',
  'state_province_region',
  'postal_code',
  'country',
  'phone_number',
  'phone_number_id',
  'external_id',
  'anonymous_id',
  'whatsapp',
  'line',
  'facebook',
  'unique_name',
  'created_at',
  'updated_at',
  'list_ids',
  'segment_ids',
  'contact_id',
  'id',
]);

/** Names SendGrid takes for custom fields. */
const NAME = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;

/** Custom field values from traits: numbers as numbers, text as text, objects flattened, the rest as JSON text. */
export function customValues(traits: Record<string, unknown>, notices: Notices): Record<string, CustomValue> {
  const out: Record<string, CustomValue> = {};
  const add = (name: string, value: unknown) => {
    const field = `custom_fields.${name}`;
    if (value === null || value === undefined) return;
    if (isPlainObject(value)) {
      notices.reshaped(field, `object flattened to ${name}_…`);
      for (const [key, inner] of Object.entries(value)) add(`${name}_${key}`, inner);
      return;
    }
    if (RESERVED.has(name.toLowerCase())) {
      notices.dropped(field, 'a reserved SendGrid field, not a custom one');
      return;
    }
    if (!NAME.test(name)) {
      notices.dropped(field, 'not a SendGrid field name (a letter, then letters, digits or _, at most 100)');
      return;
    }
    if (typeof value === 'number') {
      if (Number.isFinite(value)) out[name] = value;
      else notices.dropped(field, 'not a finite number');
      return;
    }
    if (typeof value === 'string') {
      out[name] = value;
      return;
    }
    notices.converted(field, valueType(value), 'string');
    out[name] = JSON.stringify(value);
  };
  for (const [name, value] of Object.entries(traits)) {
    if (name === 'address' && isPlainObject(value)) {
      const rest = Object.entries(value).filter(
        ([key]) => !['street', 'line1', 'line2', 'city', 'state', 'postalCode', 'postal_code', 'country'].includes(key),
      );
      for (const [key, inner] of rest) add(`address_${key}`, inner);
    } else if (!MAPPED_TRAITS.has(name.toLowerCase())) add(name, value);
  }
  return out;
}

/** The contact of one identify, its custom values by trait name; drops it without an identifier. */
export function planContact(payload: ContactPayload, notices: Notices): PlannedContact {
  const { traits, anonymous_id, ...fields } = payload;
  const contact: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(compact(fields))) {
    const max = MAX_CHARS[key];
    if (typeof value === 'string' && max !== undefined && value.length > max) {
      notices.dropped(key, `longer than SendGrid's ${max} characters`);
      continue;
    }
    contact[key] = key === 'email' ? (value as string).toLowerCase() : value;
  }
  const identified = ['email', 'phone_number_id', 'external_id'].some((key) => key in contact);
  if (!identified && anonymous_id) {
    if (anonymous_id.length > 254) notices.dropped('anonymous_id', "longer than SendGrid's 254 characters");
    else contact['anonymous_id'] = anonymous_id;
  }
  if (Object.keys(contact).every((key) => !['email', 'phone_number_id', 'external_id', 'anonymous_id'].includes(key))) {
    throw new DropEventError(
      'INVALID_PAYLOAD',
      'SendGrid contact needs an email, phone_number_id, external_id (userId) or anonymous_id',
    );
  }
  return { contact, custom: customValues(traits, notices) };
}
