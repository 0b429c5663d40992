/**
 * Whether a value is a JSON object: an object that is neither null nor an array. What parsed JSON
 * holds wherever a field must be an object (an event's `properties`, a destination's settings, a
 * request body), narrowed so its keys can be read.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a dotted path (`a.b`) names a property of an object, through nested objects only. */
export function hasDottedPath(object: Record<string, unknown>, path: string): boolean {
  let node: unknown = object;
  for (const part of path.split('.')) {
    if (!isPlainObject(node) || !(part in node)) return false;
    node = node[part];
  }
  return true;
}
