import { coerce, parseJsonBody, type Notices, type RequestDescriptor } from '@manifold/destination-kit';
import { createFieldDefinition, listFieldDefinitions, upsertContacts } from './api';
import type { CustomValue, PlannedContact } from './contact';
import type { SendgridSettings } from './settings';

// SendGrid takes custom field values keyed by field id (`e1_T`), for fields that already exist,
// each of the field's type (Text, Number, Date). So contacts with custom values are sent after
// one listing of the account's field definitions: each trait name is matched to a field of that
// name (case-insensitively, as Segment does), its value converted to the field's type when that
// is lossless; names with no field are created first (Text, or Number for a number, when
// `createCustomFields` is on) and the definitions listed again. A value that still cannot be
// sent is left out with a notice (on its own event's notices in a batch); the contact goes with
// the rest.

export const FIELDS_STEP = 'field-definitions';

interface FieldsState {
  planned: PlannedContact[];
  itemEvents: number[];
  /** Set on the second listing, after the missing fields were created. */
  created?: boolean;
}

interface FieldDefinition {
  id: string;
  fieldType: string;
}

/** The request(s) that upsert `planned`: straight away, or after the field definitions are read. */
export function contactsRequest(
  planned: PlannedContact[],
  itemEvents: number[],
  settings: SendgridSettings,
): RequestDescriptor {
  if (planned.every((p) => Object.keys(p.custom).length === 0)) {
    return upsertContacts(
      planned.map((p) => p.contact),
      itemEvents,
      settings,
    );
  }
  const state: FieldsState = { planned, itemEvents };
  return listFieldDefinitions(settings, itemEvents, { step: FIELDS_STEP, state });
}

/** Custom fields by lower-cased name, from a field_definitions answer. */
function definitions(answer: string): Map<string, FieldDefinition> {
  const body = parseJsonBody(answer) as { custom_fields?: unknown } | undefined;
  const out = new Map<string, FieldDefinition>();
  if (!Array.isArray(body?.custom_fields)) return out;
  for (const field of body.custom_fields as { id?: unknown; name?: unknown; field_type?: unknown }[]) {
    if (typeof field.id === 'string' && typeof field.name === 'string') {
      out.set(field.name.toLowerCase(), { id: field.id, fieldType: String(field.field_type) });
    }
  }
  return out;
}

/** The value as a field of `fieldType` takes it, or undefined with a notice. */
function asFieldType(value: CustomValue, fieldType: string, field: string, notices: Notices): CustomValue | undefined {
  if (fieldType === 'Number') return notices.coerce(field, value, coerce.number);
  if (fieldType === 'Date') {
    const date = coerce.timestamp(value);
    if (!date.ok) notices.dropped(field, `${date.reason} (a Date field)`);
    return date.ok ? value : undefined;
  }
  return notices.coerce(field, value, coerce.string);
}

/** After a listing of the field definitions: create what is missing, or upsert the contacts. */
export function fieldsFollowUp(
  answer: string,
  state: unknown,
  settings: SendgridSettings,
  notices: Notices,
): RequestDescriptor[] {
  const flow = state as FieldsState;
  const defined = definitions(answer);
  const missing = new Map<string, 'Text' | 'Number'>();
  for (const { custom } of flow.planned) {
    for (const [name, value] of Object.entries(custom)) {
      if (!defined.has(name.toLowerCase()) && !missing.has(name.toLowerCase())) {
        missing.set(name.toLowerCase(), typeof value === 'number' ? 'Number' : 'Text');
      }
    }
  }
  if (missing.size > 0 && settings.createCustomFields && !flow.created) {
    const names = new Map<string, string>();
    for (const { custom } of flow.planned) for (const name of Object.keys(custom)) names.set(name.toLowerCase(), name);
    return [
      ...[...missing].map(([lower, type]) => createFieldDefinition(names.get(lower) ?? lower, type, settings)),
      listFieldDefinitions(settings, flow.itemEvents, { step: FIELDS_STEP, state: { ...flow, created: true } }),
    ];
  }
  const why = settings.createCustomFields
    ? 'SendGrid did not create this custom field'
    : 'no such custom field in SendGrid (creating them is turned off)';
  const contacts = flow.planned.map(({ contact, custom }, item) => {
    const notes = notices.forEvent(flow.itemEvents[item] ?? item);
    const byId: Record<string, CustomValue> = {};
    for (const [name, value] of Object.entries(custom)) {
      const field = `custom_fields.${name}`;
      const definition = defined.get(name.toLowerCase());
      if (!definition) {
        notes.dropped(field, why);
        continue;
      }
      const converted = asFieldType(value, definition.fieldType, field, notes);
      if (converted !== undefined) byId[definition.id] = converted;
    }
    return Object.keys(byId).length > 0 ? { ...contact, custom_fields: byId } : contact;
  });
  return [upsertContacts(contacts, flow.itemEvents, settings)];
}
