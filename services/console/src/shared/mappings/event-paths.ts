// The paths of recent events, offered as a mapping field's source and a trigger's conditions.

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keys that are safe to write after a dot in a mapping-kit path. */
const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

const MAX_DEPTH = 6;

function collect(value: unknown, path: string, depth: number, into: Set<string>): void {
  if (path) into.add(path);
  if (depth >= MAX_DEPTH) return;
  if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      if (PLAIN_KEY.test(key)) collect(child, path ? `${path}.${key}` : key, depth + 1, into);
    }
  } else if (Array.isArray(value) && value.length > 0) {
    collect(value[0], `${path}[0]`, depth + 1, into);
  }
}

/**
 * Every path of the given events without `$.` (properties.plan, context.page.url,
 * products[0].price), sorted, each once.
 */
export function eventPaths(events: readonly unknown[]): string[] {
  const paths = new Set<string>();
  for (const event of events) collect(event, '', 0, paths);
  return [...paths].sort((a, b) => a.localeCompare(b));
}
