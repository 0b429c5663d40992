// A port of segmentio/go-snakecase, which names Segment's warehouse schemas, tables and columns
// (libs/warehouse/README.md#layout) and FQL's `snakecase` (libs/destination-kit/README.md#fql-subset):
// identical names matter, because users' SQL and filters depend on them.

const ALREADY_SNAKE = /^[a-z0-9]+(_[a-z0-9]+)*$/;

function isUpper(c: string): boolean {
  return c >= 'A' && c <= 'Z';
}
function isLower(c: string): boolean {
  return c >= 'a' && c <= 'z';
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/**
 * Words are a run of capitals/digits followed by a run of lowercase letters/digits; every other
 * character (punctuation, spaces, non-ASCII) separates words and is dropped.
 */
export function snakeCase(input: string): string {
  if (ALREADY_SNAKE.test(input)) return input;
  // Property names repeat from event to event: remember the recent ones.
  const cached = cache.get(input);
  if (cached !== undefined) return cached;
  const result = convert(input);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(input, result);
  return result;
}

const CACHE_LIMIT = 10000;
const cache = new Map<string, string>();

function convert(input: string): string {
  return nameWords(input)
    .map((word) => word.toLowerCase())
    .join('_');
}

/**
 * The words of a name as go-snakecase splits it, in their own case: a run of capitals and digits
 * followed by a run of lower-case letters and digits; any other character (punctuation, spaces,
 * anything not ASCII) separates words and is dropped. FQL's kebabcase and titlecase use it too.
 */
export function nameWords(input: string): string[] {
  const words: string[] = [];
  let i = 0;
  const n = input.length;
  while (i < n) {
    const start = i;
    while (i < n && (isUpper(input[i] as string) || isDigit(input[i] as string))) i++;
    while (i < n && (isLower(input[i] as string) || isDigit(input[i] as string))) i++;
    if (i > start) {
      words.push(input.slice(start, i));
    } else {
      i++; // a separator
    }
  }
  return words;
}
