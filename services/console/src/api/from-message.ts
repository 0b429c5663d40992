// A control-plane message as the Public API's JSON, shaped by the API's zod model. The model is
// the only list of an API resource's fields: the fields are taken from the message by name (the
// proto and the model name them alike), so a field added to the proto and the model reaches the
// API, its OpenAPI document and the web app's types without a copy written out by hand.
import { z } from 'zod';

/**
 * The fields only one side has. Both `never` when the message and the model name the same
 * fields; a field the API deliberately leaves out is `Omit`ted from the message type.
 */
export interface FieldDifference<Message, Model> {
  onlyInMessage: Exclude<keyof Message, keyof Model>;
  onlyInModel: Exclude<keyof Model, keyof Message>;
}

type FieldsMatch<Message, Model> = [
  FieldDifference<Message, Model>['onlyInMessage'] | FieldDifference<Message, Model>['onlyInModel'],
] extends [never]
  ? []
  : // Unsatisfiable on purpose: the compiler then names the differing fields.
    [fieldsDiffer: FieldDifference<Message, Model>];

/**
 * The model's JSON of a message: every field of the model, taken from the message field of the
 * same name; dates become RFC 3339 strings, and an absent value the model's empty one (null for
 * a nullable field, [] for a list, {} for a record). Compiles only when the message and the model
 * have the same fields, so neither can gain one the other lacks.
 */
export function fromMessage<Model extends z.ZodObject, Message extends object>(
  model: Model,
  message: Message,
  ...mismatch: FieldsMatch<Message, z.input<Model>>
): z.input<Model> {
  void mismatch;
  return convert(model, message) as z.input<Model>;
}

function convert(schema: z.ZodType, value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (schema instanceof z.ZodNullable)
    return value === undefined || value === null ? null : convert(schema.unwrap() as z.ZodType, value);
  if (schema instanceof z.ZodOptional)
    return value === undefined ? undefined : convert(schema.unwrap() as z.ZodType, value);
  if (schema instanceof z.ZodArray) {
    const element = schema.element as z.ZodType;
    return ((value ?? []) as unknown[]).map((item) => convert(element, item));
  }
  if (schema instanceof z.ZodObject) {
    const fields = (value ?? {}) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      out[name] = convert(field, fields[name]);
    }
    return out;
  }
  if (schema instanceof z.ZodRecord) return value ?? {};
  return value;
}
