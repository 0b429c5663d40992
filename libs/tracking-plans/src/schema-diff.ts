/** One difference inside a JSON Schema, at a JSON pointer relative to the schema (`/properties/total/type`). */
export interface SchemaChange {
  pointer: string;
  change: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * What changed inside a schema, down to the smallest object that differs: so a changed event
 * reads `/properties/total/type: "number" → "string"` rather than two whole schemas. Arrays
 * (`required`, `enum`) are compared whole. Keys in a stable (sorted) order.
 */
export function schemaChanges(before: unknown, after: unknown, pointer = ''): SchemaChange[] {
  if (sameJson(before, after)) return [];
  if (before === undefined) return [{ pointer, change: 'added', after }];
  if (after === undefined) return [{ pointer, change: 'removed', before }];
  if (!isObject(before) || !isObject(after)) return [{ pointer, change: 'changed', before, after }];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap((key) => schemaChanges(before[key], after[key], `${pointer}/${escape(key)}`));
}

/** Equal as JSON (values decoded from a request or another realm have other prototypes). */
function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && sameJson(a[k], b[k]));
  }
  return a === b;
}
