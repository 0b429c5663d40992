import { isPlainObject, type Notices } from '@manifold/destination-kit';

// For APIs whose properties are flat name → scalar pairs (Heap, Kissmetrics): nested objects are
// flattened into dotted names (`address.city`), each leaf goes through the destination's own
// value rule, and whatever is left out or reshaped is recorded as a notice under its field path.

/** A destination's rule for one leaf value: the value to send, or undefined (after recording why). */
export type LeafRule<V> = (value: unknown, field: string, notices: Notices) => V | undefined;

/**
 * `object` flattened: `{a: {b: 1}}` → `{'a.b': 1}`. Null values and empty objects are left out
 * with a notice (these APIs have no null); a flattened name that an existing one already holds is
 * left out too. `field` is the payload path the notices are recorded under.
 */
export function flatProperties<V>(
  object: Record<string, unknown>,
  field: string,
  notices: Notices,
  leaf: LeafRule<V>,
  separator = '.',
): Record<string, V> {
  const out: Record<string, V> = {};
  const visit = (value: unknown, name: string, path: string, nested: boolean): void => {
    if (value === null || value === undefined) {
      notices.dropped(path, 'no value (null)');
      return;
    }
    if (isPlainObject(value)) {
      const entries = Object.entries(value);
      if (entries.length === 0) notices.dropped(path, 'empty object');
      else notices.reshaped(path, `object flattened into ${name}${separator}… names`);
      for (const [key, child] of entries) visit(child, `${name}${separator}${key}`, `${path}.${key}`, true);
      return;
    }
    if (nested && name in out) {
      notices.dropped(path, `its flattened name ${name} is taken`);
      return;
    }
    const sent = leaf(value, path, notices);
    if (sent !== undefined) out[name] = sent;
  };
  for (const [key, value] of Object.entries(object)) visit(value, key, `${field}.${key}`, false);
  return out;
}
