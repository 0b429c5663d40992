import { z } from 'zod';
import type { AnyAction } from './definition';
import type { MappingValue } from './mapping';

/** One field of an action as a mapping editor lists it. */
export interface CatalogActionField {
  name: string;
  /** The field's title when it has one, else its name in words ("distinct_id" → "Distinct id"). */
  label: string;
  /** The JSON type the payload takes (string, number, integer, boolean, object, array), or "any". */
  type: string;
  description: string;
  /** The payload needs a value: the action has no default for it when it is left unmapped. */
  required: boolean;
  /** What the action's presets map the field from, when they map it. */
  defaultMapping?: MappingValue;
}

interface PropertySchema {
  type?: string | string[];
  title?: string;
  description?: string;
  anyOf?: PropertySchema[];
}

function typeOf(property: PropertySchema | undefined): string {
  if (!property) return 'any';
  const types = [property.type ?? [], ...(property.anyOf ?? []).map((p) => p.type ?? [])].flat();
  return types.find((t) => t !== 'null') ?? 'any';
}

function inWords(name: string): string {
  const words = name
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * An action's fields in declaration order, from the JSON Schema of what they take (type, title,
 * description: the input side, since a mapping produces the input and transforms have no output
 * schema) and their zod schemas (required: the same rule the mapping validator applies, a field
 * whose schema refuses `undefined`).
 */
export function actionFields(action: AnyAction): CatalogActionField[] {
  const input = z.toJSONSchema(action.fields, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const properties = (input['properties'] ?? {}) as Record<string, PropertySchema>;
  const shape = action.fields.shape as Record<string, z.ZodType>;
  const defaults = action.defaultMapping as Record<string, MappingValue | undefined>;
  return Object.entries(shape).map(([name, schema]) => {
    const property = properties[name];
    const defaultMapping = defaults[name];
    return {
      name,
      label: property?.title ?? inWords(name),
      type: typeOf(property),
      description: property?.description ?? '',
      required: !schema.safeParse(undefined).success,
      ...(defaultMapping === undefined ? {} : { defaultMapping }),
    };
  });
}
