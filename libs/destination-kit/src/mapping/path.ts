import { jsonTextContainer } from './json-text';

// Dot paths as mapping-kit writes them: `$.properties.products[0].price`, `$.` for the whole
// event; the `$.` prefix is optional.

type Segment = string | number;

const cache = new Map<string, Segment[]>();

export function parsePath(path: string): Segment[] {
  const cached = cache.get(path);
  if (cached) return cached;
  const trimmed = path.trim().replace(/^\$\.?/, '');
  const segments: Segment[] = [];
  for (const part of trimmed.split('.')) {
    if (part === '') continue;
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!match) {
      segments.push(part);
      continue;
    }
    if (match[1]) segments.push(match[1]);
    for (const index of (match[2] ?? '').matchAll(/\[(\d+)\]/g)) segments.push(Number(index[1]));
  }
  if (cache.size > 10_000) cache.clear();
  cache.set(path, segments);
  return segments;
}

/**
 * The value at `path`, or undefined when any step is missing. With `readJsonText` (a Reverse ETL
 * row), a step into a string that holds a JSON object or array reads that object or array: a
 * warehouse's JSON column arrives as text, and `$.properties.address.city` picks a key out of it.
 */
export function getPath(data: unknown, path: string, readJsonText = false): unknown {
  let current: unknown = data;
  for (const segment of parsePath(path)) {
    if (readJsonText && typeof current === 'string') current = jsonTextContainer(current);
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}
