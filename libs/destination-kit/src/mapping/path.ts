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

/** The value at `path`, or undefined when any step is missing. */
export function getPath(data: unknown, path: string): unknown {
  let current: unknown = data;
  for (const segment of parsePath(path)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}
