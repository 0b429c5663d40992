/**
 * JSON text as a value, with one difference from JSON.parse: an integer that a double cannot hold
 * exactly (beyond 2^53, such as a warehouse's BIGINT ids or a 64-bit id from a server's SDK) is
 * kept as a string of its digits, where JSON.parse would round it to another integer
 * (1234567890123456789 → 1234567890123456800) and send the wrong id on without a word. As text the
 * value arrives at every destination and warehouse digit for digit. Integers a double holds
 * exactly (2^53 itself) stay numbers, and so do decimals and exponents, which JSON's users expect to
 * be doubles.
 *
 * Text without a run of 16 digits (the fewest an unsafe integer has) is parsed by JSON.parse
 * alone; only the rest pays for a reviver, which reads each number's source text.
 */
export function parseJsonExact(text: string): unknown {
  return MAYBE_UNSAFE_INTEGER.test(text) ? JSON.parse(text, keepUnsafeIntegers) : JSON.parse(text);
}

/**
 * The same JSON text with each integer a double cannot hold written as a string of its digits
 * (parseJsonExact), for text others will parse with JSON.parse: the text itself, not parsed or
 * written again, when it has no run of 16 digits.
 */
export function exactJsonText(text: string): string {
  return MAYBE_UNSAFE_INTEGER.test(text) ? JSON.stringify(JSON.parse(text, keepUnsafeIntegers)) : text;
}

/**
 * Whether JSON text may hold an integer a double cannot: 2^53 has 16 digits, so an integer with
 * fewer is safe. Digits inside strings match too (harmless: they take the slow path).
 */
const MAYBE_UNSAFE_INTEGER = /\d{16}/;
const INTEGER_LITERAL = /^-?\d+$/;

/** What JSON.parse gives a reviver as its third argument (ES2025's JSON.parse source text access). */
interface ReviverContext {
  source?: string;
}

function keepUnsafeIntegers(_key: string, value: unknown, context?: ReviverContext): unknown {
  if (typeof value !== 'number' || Number.isSafeInteger(value)) return value;
  const source = context?.source;
  if (source === undefined || !INTEGER_LITERAL.test(source)) return value;
  return BigInt(source) === BigInt(value) ? value : source;
}
