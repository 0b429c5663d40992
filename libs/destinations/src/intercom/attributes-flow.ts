import { coerce, parseJsonBody, valueType, type Notices, type RequestDescriptor } from '@manifold/destination-kit';
import { intercomRequest, listDataAttributes } from './api';
import { continueWith, type Continuation } from './continuation';
import { MAX_TEXT_CHARS, type AttributeValue, type IntercomModel } from './custom-attributes';
import type { IntercomSettings } from './settings';

// Intercom's REST API writes only custom attributes that already exist in the workspace, each
// with a data type (a contact or company naming any other is refused whole). So a flow that
// carries custom attributes first lists the workspace's (GET /data_attributes), creates the
// missing ones (POST /data_attributes, typed after their value; `createCustomAttributes`), lists
// them again, and then sends the contact or company with the attributes that exist, each
// converted to its type when that is lossless. An attribute that cannot be sent (not created,
// archived, a value of another type) is left out with a notice; the rest goes.

export const ATTRIBUTES_STEP = 'custom-attributes';

type DataType = 'string' | 'integer' | 'float' | 'boolean' | 'date' | string;

interface AttributesState {
  model: IntercomModel;
  /** Where notices about these attributes point ("custom_attributes", "company.custom_attributes"). */
  field: string;
  values: Record<string, AttributeValue>;
  then: Continuation;
  /** Set on the second listing, after the missing attributes were created. */
  created?: boolean;
}

interface DataAttribute {
  name?: unknown;
  data_type?: unknown;
  custom?: unknown;
  archived?: unknown;
  api_writable?: unknown;
}

/** The requests that send `then` once the custom attributes in `values` are checked. */
export function ensureAttributes(
  settings: IntercomSettings,
  model: IntercomModel,
  field: string,
  values: Record<string, AttributeValue>,
  then: Continuation,
): RequestDescriptor[] {
  if (Object.keys(values).length === 0) return continueWith(then, {}, settings);
  const state: AttributesState = { model, field, values, then };
  return [listDataAttributes(settings, model, { step: ATTRIBUTES_STEP, state })];
}

/** After a listing of the workspace's attributes: create what is missing, or send `then`. */
export function attributesFollowUp(
  answer: string,
  state: unknown,
  settings: IntercomSettings,
  notices: Notices,
): RequestDescriptor[] {
  const flow = state as AttributesState;
  const defined = customAttributes(answer);
  const kept: Record<string, AttributeValue> = {};
  const missing: string[] = [];
  for (const [name, value] of Object.entries(flow.values)) {
    const field = `${flow.field}.${name}`;
    const attribute = defined.get(name);
    if (!attribute) missing.push(name);
    else if (attribute.archived === true) notices.dropped(field, 'archived in Intercom');
    else if (attribute.api_writable === false) notices.dropped(field, 'not writable through Intercom’s API');
    else {
      const converted = asDataType(value, String(attribute.data_type), field, notices);
      if (converted !== undefined) kept[name] = converted;
    }
  }
  if (missing.length > 0 && settings.createCustomAttributes && !flow.created) {
    return [
      ...missing.map((name) =>
        intercomRequest(settings, 'POST', '/data_attributes', {
          name,
          model: flow.model,
          data_type: dataTypeOf(flow.values[name] as AttributeValue),
        }),
      ),
      listDataAttributes(settings, flow.model, { step: ATTRIBUTES_STEP, state: { ...flow, created: true } }),
    ];
  }
  const why = settings.createCustomAttributes
    ? 'Intercom did not create this custom attribute'
    : 'no such custom attribute in Intercom (creating them is turned off)';
  for (const name of missing) notices.dropped(`${flow.field}.${name}`, why);
  return continueWith(flow.then, kept, settings);
}

/** The workspace's custom attributes by name, from a GET /data_attributes answer. */
function customAttributes(answer: string): Map<string, DataAttribute> {
  const data = (parseJsonBody(answer) as { data?: unknown } | undefined)?.data;
  const out = new Map<string, DataAttribute>();
  if (!Array.isArray(data)) return out;
  for (const attribute of data as DataAttribute[]) {
    if (attribute.custom === true && typeof attribute.name === 'string') out.set(attribute.name, attribute);
  }
  return out;
}

/** The type a new attribute gets from its first value. */
function dataTypeOf(value: AttributeValue): 'string' | 'integer' | 'float' | 'boolean' {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'float';
  return 'string';
}

/** The value as an attribute of `dataType` takes it (converted when lossless), or undefined with a notice. */
function asDataType(
  value: AttributeValue,
  dataType: DataType,
  field: string,
  notices: Notices,
): AttributeValue | undefined {
  switch (dataType) {
    case 'integer':
      return notices.coerce(field, value, coerce.integer);
    case 'float':
      return notices.coerce(field, value, coerce.number);
    case 'boolean':
      return notices.coerce(field, value, coerce.boolean);
    case 'date': {
      // Intercom dates are Unix seconds; an ISO date-time (or epoch milliseconds) is converted.
      const instant = coerce.timestamp(value);
      if (!instant.ok) {
        notices.dropped(field, instant.reason);
        return undefined;
      }
      if (typeof value !== 'number') notices.converted(field, valueType(value), 'number');
      return Math.floor(Date.parse(instant.value) / 1000);
    }
    default: {
      const text = notices.coerce(field, value, coerce.string);
      if (text === undefined || text.length <= MAX_TEXT_CHARS) return text;
      notices.dropped(field, `text longer than ${MAX_TEXT_CHARS} characters`);
      return undefined;
    }
  }
}
