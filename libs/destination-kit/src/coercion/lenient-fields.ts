// Optional action fields that convert what converts and drop the rest with a notice. The kit
// applies the conversion to the mapped payload before validating it (prepareEvent), where it
// knows each field's name; the schema itself then only sees values of the right type.
import { z } from 'zod';
import { isPlainObject } from '@manifold/json';
import { coerce, valueType, type Coerced, type Coercion } from './coerce';
import type { Notices } from './notices';

const COERCIONS = new WeakMap<z.ZodType, Coercion<unknown>>();

function lenientField<T extends z.ZodType>(schema: T, coercion: Coercion<unknown>) {
  const field = schema.nullish();
  COERCIONS.set(field, coercion);
  return field;
}

function coerceObject(value: unknown): Coerced<Record<string, unknown>> {
  if (isPlainObject(value)) return { ok: true, value };
  const type = valueType(value);
  return { ok: false, reason: `${type === 'object' ? 'an' : 'a'} ${type}, not an object` };
}

/**
 * Optional fields of an action's `fields` schema, each converted by the coercion of the same name
 * (see coerce.ts); null and missing read as absent. Use them directly as values of the fields'
 * object (or of an object nested in it): wrapping one (`.describe()`, `.optional()`) makes a new
 * schema that the kit does not recognise.
 */
export const lenient = {
  number: () => lenientField(z.number(), coerce.number),
  integer: () => lenientField(z.number().int(), coerce.integer),
  string: () => lenientField(z.string(), coerce.string),
  boolean: () => lenientField(z.boolean(), coerce.boolean),
  /** An ISO-8601 date-time in UTC. */
  timestamp: () => lenientField(z.string(), coerce.timestamp),
  currency: () => lenientField(z.string(), coerce.currency),
  phone: () => lenientField(z.string(), coerce.phone),
  email: () => lenientField(z.string(), coerce.email),
  /** A JSON object (properties, traits); anything else is dropped with a notice. */
  object: () => lenientField(z.record(z.string(), z.unknown()), coerceObject),
};

interface FieldPlan {
  key: string;
  coercion?: Coercion<unknown>;
  nested?: FieldPlan[];
  /** `nested` applies to each object of a list (e.g. GA4 items). */
  list?: boolean;
}

const PLANS = new WeakMap<z.ZodObject, FieldPlan[]>();

/**
 * Converts the lenient fields of a mapped payload in place, recording a notice for each value
 * converted or dropped. Objects nested in the fields schema, and lists of them, are followed.
 */
export function applyLenientFields(fields: z.ZodObject, mapped: Record<string, unknown>, notices: Notices): void {
  apply(planOf(fields), mapped, '', notices);
}

function apply(plan: FieldPlan[], object: Record<string, unknown>, prefix: string, notices: Notices): void {
  for (const { key, coercion, nested, list } of plan) {
    const value = object[key];
    if (value === null || value === undefined) continue;
    // Copies: the mapped value may be the event's own object, which other instances still read.
    if (nested && list) {
      if (!Array.isArray(value)) continue;
      object[key] = value.map((element: unknown, index) => {
        if (!isPlainObject(element)) return element;
        const copy = { ...element };
        apply(nested, copy, `${prefix}${key}[${index}].`, notices);
        return copy;
      });
      continue;
    }
    if (nested) {
      if (!isPlainObject(value)) continue;
      const copy = { ...value };
      apply(nested, copy, `${prefix}${key}.`, notices);
      object[key] = copy;
      continue;
    }
    const converted = notices.record(`${prefix}${key}`, (coercion as Coercion<unknown>)(value));
    if (converted === undefined) delete object[key];
    else object[key] = converted;
  }
}

function planOf(fields: z.ZodObject): FieldPlan[] {
  let plan = PLANS.get(fields);
  if (!plan) {
    plan = [];
    for (const [key, schema] of Object.entries(fields.shape)) {
      const coercion = COERCIONS.get(schema);
      if (coercion) {
        plan.push({ key, coercion });
        continue;
      }
      const inner = unwrap(schema);
      if (inner instanceof z.ZodObject) {
        const nested = planOf(inner);
        if (nested.length > 0) plan.push({ key, nested });
      } else if (inner instanceof z.ZodArray) {
        const element = unwrap(inner.element as z.ZodType);
        const nested = element instanceof z.ZodObject ? planOf(element) : [];
        if (nested.length > 0) plan.push({ key, nested, list: true });
      }
    }
    PLANS.set(fields, plan);
  }
  return plan;
}

/** The schema under optional/nullable/catch/default wrappers. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (;;) {
    const def = current.def as { type: string; innerType?: z.ZodType };
    if (!def.innerType || !['optional', 'nullable', 'catch', 'default', 'prefault'].includes(def.type)) {
      return current;
    }
    current = def.innerType;
  }
}
