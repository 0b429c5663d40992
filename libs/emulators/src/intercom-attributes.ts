import { isPlainObject } from '@manifold/json';
import type { IntercomProblem } from './intercom-validation';

// Intercom's data attributes (REST API 2.x, /data_attributes): a contact's or company's
// `custom_attributes` may only name custom attributes that exist in the workspace, each with a
// data type its values must have. The API creates them one by one (POST /data_attributes);
// names are letters, digits, `_`, `-` and currency symbols, and may not be a standard attribute.

export type IntercomModel = 'contact' | 'company';
export type IntercomDataType = 'string' | 'integer' | 'float' | 'boolean' | 'date';

export interface IntercomDataAttribute {
  type: 'data_attribute';
  id?: number;
  model: IntercomModel;
  name: string;
  full_name: string;
  label: string;
  data_type: IntercomDataType;
  api_writable: boolean;
  custom: boolean;
  archived: boolean;
}

const DATA_TYPES: readonly IntercomDataType[] = ['string', 'integer', 'float', 'boolean', 'date'];
const NAME = /^[\p{L}\p{N}_\-\p{Sc}]+$/u;
const MAX_STRING_CHARS = 255;
/** Unix seconds stay below this until the year 5138; anything larger is milliseconds. */
const MAX_UNIX_SECONDS = 1e11;
/** Intercom's cap on custom data attributes (per model here). */
export const MAX_CUSTOM_ATTRIBUTES = 250;

/** Standard attributes: listed by GET /data_attributes (custom: false), never creatable. */
const STANDARD: Record<IntercomModel, Record<string, IntercomDataType>> = {
  contact: {
    name: 'string',
    email: 'string',
    phone: 'string',
    external_id: 'string',
    role: 'string',
    avatar: 'string',
    owner_id: 'integer',
    signed_up_at: 'date',
    last_seen_at: 'date',
    created_at: 'date',
    updated_at: 'date',
    unsubscribed_from_emails: 'boolean',
    language_override: 'string',
    browser: 'string',
    os: 'string',
  },
  company: {
    name: 'string',
    company_id: 'string',
    plan: 'string',
    size: 'integer',
    website: 'string',
    industry: 'string',
    monthly_spend: 'float',
    remote_created_at: 'date',
    created_at: 'date',
    updated_at: 'date',
  },
};

function attribute(model: IntercomModel, name: string, dataType: IntercomDataType, id?: number): IntercomDataAttribute {
  return {
    type: 'data_attribute',
    ...(id === undefined ? {} : { id }),
    model,
    name,
    full_name: id === undefined ? name : `custom_attributes.${name}`,
    label: name,
    data_type: dataType,
    api_writable: true,
    custom: id !== undefined,
    archived: false,
  };
}

/** The custom data attributes of one workspace. */
export class IntercomAttributes {
  private readonly custom: Record<IntercomModel, Map<string, IntercomDataAttribute>> = {
    contact: new Map(),
    company: new Map(),
  };
  private sequence = 0;

  constructor(
    private readonly initial: Partial<Record<IntercomModel, Record<string, IntercomDataType>>> = {},
    private readonly limit = MAX_CUSTOM_ATTRIBUTES,
  ) {
    this.reset();
  }

  reset(): void {
    this.sequence = 0;
    for (const model of ['contact', 'company'] as const) {
      this.custom[model].clear();
      for (const [name, dataType] of Object.entries(this.initial[model] ?? {})) this.add(model, name, dataType);
    }
  }

  /** Custom attributes of a model, by name. */
  of(model: IntercomModel): ReadonlyMap<string, IntercomDataAttribute> {
    return this.custom[model];
  }

  /** What GET /data_attributes lists: standard attributes, then custom ones. */
  list(model: IntercomModel | undefined): IntercomDataAttribute[] {
    const models = model ? [model] : (['contact', 'company'] as const);
    return models.flatMap((m) => [
      ...Object.entries(STANDARD[m]).map(([name, dataType]) => attribute(m, name, dataType)),
      ...this.custom[m].values(),
    ]);
  }

  /** POST /data_attributes: the new attribute, or why Intercom refuses it. */
  create(body: Record<string, unknown>): IntercomDataAttribute | IntercomProblem {
    const { name, model, data_type: dataType } = body;
    if (model !== 'contact' && model !== 'company') return ['parameter_invalid', 'Model must be contact or company'];
    if (typeof name !== 'string' || name === '') return ['parameter_not_found', 'Name is required'];
    if (!NAME.test(name)) {
      return [
        'parameter_invalid',
        'Your name for this attribute must only contain alphanumeric characters, currency symbols, and hyphens',
      ];
    }
    const data = model === 'contact' ? 'people data' : 'company data';
    if (Object.keys(STANDARD[model]).some((standard) => standard.toLowerCase() === name.toLowerCase())) {
      return [
        'parameter_invalid',
        `'${name}' is one of our standard attributes for your ${data}. To save this as new ${data}, use a different name.`,
      ];
    }
    if (this.custom[model].has(name)) {
      return ['parameter_invalid', `You already have '${name}' in your ${data}. Use a different name.`];
    }
    if (typeof dataType !== 'string' || !DATA_TYPES.includes(dataType as IntercomDataType)) {
      return ['parameter_invalid', "Data Type isn't an option"];
    }
    if (this.custom[model].size >= this.limit) {
      return ['parameter_invalid', `You have reached the limit of ${this.limit} custom attributes`];
    }
    return this.add(model, name, dataType as IntercomDataType);
  }

  /** Problems of a `custom_attributes` object: unknown names, values of the wrong type. */
  valuesProblem(model: IntercomModel, value: unknown): IntercomProblem | undefined {
    if (value === undefined) return undefined;
    if (!isPlainObject(value)) return ['parameter_invalid', 'custom_attributes must be an object'];
    for (const [name, attributeValue] of Object.entries(value)) {
      const defined = this.custom[model].get(name);
      if (!defined) return ['parameter_not_found', `Custom attribute '${name}' does not exist`];
      if (attributeValue === null) continue;
      if (!fits(defined.data_type, attributeValue)) {
        return ['parameter_invalid', `Custom attribute '${name}' must be of type ${defined.data_type}`];
      }
    }
    return undefined;
  }

  private add(model: IntercomModel, name: string, dataType: IntercomDataType): IntercomDataAttribute {
    this.sequence++;
    const created = attribute(model, name, dataType, 12_000 + this.sequence);
    this.custom[model].set(name, created);
    return created;
  }
}

function fits(dataType: IntercomDataType, value: unknown): boolean {
  switch (dataType) {
    case 'string':
      return typeof value === 'string' && value.length <= MAX_STRING_CHARS;
    case 'integer':
      return Number.isSafeInteger(value);
    case 'float':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'date':
      return Number.isInteger(value) && (value as number) >= 0 && (value as number) < MAX_UNIX_SECONDS;
  }
}
