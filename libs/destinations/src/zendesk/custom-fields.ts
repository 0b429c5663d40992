import {
  coerce,
  isPlainObject,
  parseJsonBody,
  valueType,
  type Notices,
  type RequestDescriptor,
} from '@manifold/destination-kit';
import { zendeskGet, zendeskRequest } from './api';
import type { ZendeskSettings } from './settings';

// Traits as Zendesk user or organization fields. Zendesk keeps a custom field's value only when
// a field with that key exists (keys in snake_case, as Segment writes them from camelCase trait
// names), of its type. So a user or organization with custom values is sent after one listing of
// the fields (GET /api/v2/user_fields or organization_fields); keys Zendesk lacks are created
// (decimal for a number, checkbox for a boolean, else text; when `createCustomFields` is on) and
// the fields listed again; each value is converted to its field's type when that is lossless,
// else left out with a notice. Then the record goes with the fields that passed: one record
// (`{user}`), or a batch's (`{users: [...]}`, record i being event i, its notices that event's).

export const FIELDS_STEP = 'custom-fields';

export type Model = 'user' | 'organization';
export type FieldValue = string | number | boolean;

/** One record to send: its attributes (without custom fields) and its custom values. */
export interface PendingRecord {
  body: Record<string, unknown>;
  custom: Record<string, FieldValue>;
}

/** What to send once the fields are known: the records and the follow-up of their request. */
export interface Pending {
  model: Model;
  path: string;
  /** Several records (a batch: `{users: [...]}`), else one (`{user}`). */
  many?: boolean;
  records: PendingRecord[];
  /** The follow-up of the create_or_update request (e.g. link the user to the organization). */
  then?: { step: string; state: unknown };
  created?: boolean;
}

const fieldsPath = (model: Model) => `/api/v2/${model}_fields`;
const fieldsKey = (model: Model) => `${model}_fields`;

/** camelCase and other names as Zendesk keys: snake_case of letters, digits and _. */
export function fieldKey(name: string): string {
  return name
    .replace(/([a-z\d])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
}

/** Custom values by key from traits without `skip`; objects flattened, lists as JSON text. */
export function customValues(
  traits: Record<string, unknown>,
  skip: readonly string[],
  field: string,
  notices: Notices,
): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  const add = (name: string, value: unknown) => {
    const path = `${field}.${name}`;
    if (value === null || value === undefined) return;
    if (isPlainObject(value)) {
      notices.reshaped(path, `object flattened to ${name}_…`);
      for (const [key, inner] of Object.entries(value)) add(`${name}_${key}`, inner);
      return;
    }
    const key = fieldKey(name);
    if (!/^[a-z]/.test(key)) {
      notices.dropped(path, 'no Zendesk field key can be made of this name');
      return;
    }
    if (out[key] !== undefined) {
      notices.dropped(path, `field key ${key} already taken`);
      return;
    }
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') {
      if (typeof value === 'number' && !Number.isFinite(value)) notices.dropped(path, 'not a finite number');
      else out[key] = value;
      return;
    }
    notices.converted(path, valueType(value), 'string');
    out[key] = JSON.stringify(value);
  };
  for (const [name, value] of Object.entries(traits)) if (!skip.includes(name)) add(name, value);
  return out;
}

/**
 * The create_or_update request of `pending`: straight away, or after the fields are listed. A
 * batch's first request maps its answer back to the events (`itemEvents`: record i is event i).
 */
export function sendWithFields(pending: Pending, settings: ZendeskSettings): RequestDescriptor {
  const request = pending.records.every((r) => Object.keys(r.custom).length === 0)
    ? createOrUpdate(pending, [], settings)
    : zendeskGet(settings, fieldsPath(pending.model), {}, { step: FIELDS_STEP, state: pending });
  return pending.many ? { ...request, itemEvents: pending.records.map((_r, i) => i) } : request;
}

function createOrUpdate(pending: Pending, customs: Record<string, unknown>[], settings: ZendeskSettings) {
  const records = pending.records.map((record, i) => {
    const custom = customs[i] ?? {};
    return Object.keys(custom).length > 0 ? { ...record.body, [fieldsKey(pending.model)]: custom } : record.body;
  });
  const body = pending.many ? { [`${pending.model}s`]: records } : { [pending.model]: records[0] };
  return zendeskRequest(settings, pending.path, body, pending.then);
}

/** The field types by key, from a listing. */
function fieldTypes(answer: string, model: Model): Map<string, string> {
  const body = parseJsonBody(answer);
  const list = isPlainObject(body) && Array.isArray(body[fieldsKey(model)]) ? body[fieldsKey(model)] : [];
  const out = new Map<string, string>();
  for (const field of list as unknown[]) {
    if (isPlainObject(field) && typeof field['key'] === 'string' && field['active'] !== false) {
      out.set(field['key'], String(field['type']));
    }
  }
  return out;
}

function asFieldType(value: FieldValue, type: string, field: string, notices: Notices): FieldValue | undefined {
  switch (type) {
    case 'checkbox':
      return notices.coerce(field, value, coerce.boolean);
    case 'integer':
      return notices.coerce(field, value, coerce.integer);
    case 'decimal':
      return notices.coerce(field, value, coerce.number);
    case 'date': {
      const date = coerce.timestamp(value);
      if (!date.ok) notices.dropped(field, date.reason);
      if (!date.ok) return undefined;
      if (date.value.slice(0, 10) !== value) notices.reshaped(field, 'sent as YYYY-MM-DD');
      return date.value.slice(0, 10);
    }
    case 'text':
    case 'textarea':
    case 'regexp':
      return notices.coerce(field, value, coerce.string);
    default:
      notices.dropped(field, `a ${type} field (options Zendesk defines) is not set from traits`);
      return undefined;
  }
}

const newFieldType = (value: FieldValue) =>
  typeof value === 'number' ? 'decimal' : typeof value === 'boolean' ? 'checkbox' : 'text';

export function fieldsFollowUp(
  answer: string,
  state: unknown,
  settings: ZendeskSettings,
  notices: Notices,
): RequestDescriptor[] {
  const pending = state as Pending;
  const types = fieldTypes(answer, pending.model);
  // Each missing key once, typed by the first value given for it.
  const missing = new Map<string, FieldValue>();
  for (const record of pending.records) {
    for (const [key, value] of Object.entries(record.custom)) {
      if (!types.has(key) && !missing.has(key)) missing.set(key, value);
    }
  }
  if (missing.size > 0 && settings.createCustomFields && !pending.created) {
    return [
      ...[...missing].map(([key, value]) =>
        zendeskRequest(settings, fieldsPath(pending.model), {
          [`${pending.model}_field`]: { type: newFieldType(value), key, title: key },
        }),
      ),
      zendeskGet(settings, fieldsPath(pending.model), {}, { step: FIELDS_STEP, state: { ...pending, created: true } }),
    ];
  }
  const why = settings.createCustomFields
    ? 'Zendesk did not create this field'
    : `no such ${pending.model} field in Zendesk (creating them is turned off)`;
  const customs = pending.records.map((record, i) => {
    const mine = pending.many ? notices.forEvent(i) : notices;
    const custom: Record<string, FieldValue> = {};
    for (const [key, value] of Object.entries(record.custom)) {
      const field = `${fieldsKey(pending.model)}.${key}`;
      const type = types.get(key);
      if (type === undefined) {
        mine.dropped(field, why);
        continue;
      }
      const converted = asFieldType(value, type, field, mine);
      if (converted !== undefined) custom[key] = converted;
    }
    return custom;
  });
  return [createOrUpdate(pending, customs, settings)];
}
