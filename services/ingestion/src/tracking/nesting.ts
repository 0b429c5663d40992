/**
 * How deep a call's objects and arrays may nest: the call itself is level 1, so
 * `{"properties":{"a":[{}]}}` is 4 levels deep. Real events stay far below it. Much deeper values
 * overflow the stack of every recursive reader downstream (JSON.stringify included, at a few
 * thousand levels), so they are refused here, where the sender still learns why.
 */
export const MAX_NESTING_DEPTH = 100;

/**
 * Whether a parsed JSON value nests more than `limit` objects and arrays deep. Recursion stops one
 * level past the limit, so it never goes deeper than that whatever the value (JSON.parse itself
 * reads any depth without recursion). It visits each value once and allocates nothing.
 */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (limit <= 0) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (nestedDeeperThan(value[i], limit - 1)) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) if (nestedDeeperThan(record[key], limit - 1)) return true;
  return false;
}
