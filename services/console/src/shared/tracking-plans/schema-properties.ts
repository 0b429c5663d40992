// The plan editor's table of an event's properties, read from and written back into the event's
// JSON Schema. Only what the table shows is touched (a property's type, enum and pattern, and the
// schema's `required`); every other keyword (formats, bounds, nested schemas) is kept as it is,
// for the raw JSON Schema editor.

export type JsonSchema = Record<string, unknown>;

/** The types the table offers; `any`: no `type` keyword; `other`: one the table cannot show (e.g. a list of types). */
export const PROPERTY_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'any'] as const;
export type PropertyType = (typeof PROPERTY_TYPES)[number] | 'other';

export interface PropertyRow {
  name: string;
  type: PropertyType;
  required: boolean;
  /** The `enum` values as the user types them: comma-separated. */
  allowed: string;
  /** The `pattern` (strings only). */
  pattern: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function propertiesOf(schema: JsonSchema): Record<string, unknown> {
  return isObject(schema['properties']) ? schema['properties'] : {};
}

function requiredOf(schema: JsonSchema): string[] {
  const required = schema['required'];
  return Array.isArray(required) ? required.filter((r): r is string => typeof r === 'string') : [];
}

function typeOf(property: Record<string, unknown>): PropertyType {
  const type = property['type'];
  if (type === undefined) return 'any';
  return typeof type === 'string' && (PROPERTY_TYPES as readonly string[]).includes(type)
    ? (type as PropertyType)
    : 'other';
}

/** The rows of a schema's `properties`, in their order. */
export function propertyRows(schema: JsonSchema): PropertyRow[] {
  const required = requiredOf(schema);
  return Object.entries(propertiesOf(schema)).map(([name, raw]) => {
    const property = isObject(raw) ? raw : {};
    const allowed = Array.isArray(property['enum']) ? property['enum'].map((v) => String(v)).join(', ') : '';
    const pattern = typeof property['pattern'] === 'string' ? property['pattern'] : '';
    return { name, type: typeOf(property), required: required.includes(name), allowed, pattern };
  });
}

/** The allowed values typed in, as values of the property's type ("1, 2" is [1, 2] for numbers). */
function enumValues(row: PropertyRow): unknown[] | undefined {
  const parts = row.allowed
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return undefined;
  if (row.type === 'number' || row.type === 'integer')
    return parts.map((p) => (Number.isNaN(Number(p)) ? p : Number(p)));
  if (row.type === 'boolean') return parts.map((p) => (p === 'true' ? true : p === 'false' ? false : p));
  return parts;
}

/** A problem with a row before it is written: a name missing or taken, allowed values of the wrong type. */
export function propertyRowProblem(schema: JsonSchema, previousName: string | undefined, row: PropertyRow) {
  if (!row.name.trim()) return 'A property needs a name.';
  if (row.name !== previousName && row.name in propertiesOf(schema)) return `${row.name} is already a property.`;
  if ((row.type === 'number' || row.type === 'integer') && enumValues(row)?.some((v) => typeof v !== 'number'))
    return 'Allowed values of a number must be numbers.';
  return undefined;
}

/**
 * The schema with one property written from its row (added, or replacing `previousName`, keeping
 * its place and its other keywords), and `required` updated. The schema itself is not changed.
 */
export function withProperty(schema: JsonSchema, previousName: string | undefined, row: PropertyRow): JsonSchema {
  const properties = propertiesOf(schema);
  const before = previousName !== undefined && isObject(properties[previousName]) ? properties[previousName] : {};
  const property: Record<string, unknown> = { ...before };
  if (row.type === 'any') delete property['type'];
  else if (row.type !== 'other') property['type'] = row.type;
  const values = enumValues(row);
  if (values) property['enum'] = values;
  else delete property['enum'];
  if (row.pattern && (row.type === 'string' || row.type === 'other' || row.type === 'any'))
    property['pattern'] = row.pattern;
  else delete property['pattern'];

  const entries = Object.entries(properties);
  const at = previousName === undefined ? -1 : entries.findIndex(([name]) => name === previousName);
  if (at >= 0) entries[at] = [row.name, property];
  else entries.push([row.name, property]);
  const required = requiredOf(schema).filter((name) => name !== previousName && name !== row.name);
  if (row.required) required.push(row.name);
  const next: JsonSchema = { type: 'object', ...schema, properties: Object.fromEntries(entries) };
  if (required.length > 0) next['required'] = required;
  else delete next['required'];
  return next;
}

/** The schema without one property (and without it in `required`). */
export function withoutProperty(schema: JsonSchema, name: string): JsonSchema {
  const properties = { ...propertiesOf(schema) };
  delete properties[name];
  const next: JsonSchema = { ...schema, properties };
  const required = requiredOf(schema).filter((r) => r !== name);
  if (required.length > 0) next['required'] = required;
  else delete next['required'];
  return next;
}

/**
 * The server's problems that belong to one schema of the plan: `rules.events.<name>` and what is
 * under it (`rules.events.<name>/properties/total/type`), or `rules.identifyTraits...`.
 */
export function problemsAt<P extends { field: string }>(problems: readonly P[], rulesPath: string): P[] {
  const prefix = `rules.${rulesPath}`;
  return problems.filter((p) => p.field === prefix || p.field.startsWith(`${prefix}/`));
}

/** The property a problem's path names (`.../properties/<name>/...`), if any. */
export function problemProperty(field: string): string | undefined {
  const match = /\/properties\/([^/]+)/.exec(field);
  return match ? match[1]!.replace(/~1/g, '/').replace(/~0/g, '~') : undefined;
}
