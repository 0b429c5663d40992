// Lossless conversions between the JSON types users send and the types destination APIs want.
// Each one returns the converted value or the reason it cannot convert: a destination then drops
// that one field with a notice (see notices.ts) instead of the whole event. Nothing here guesses:
// a value converts only when the result means exactly what was sent.

/** The JSON type of a value, as notices name it. */
export type ValueType = 'string' | 'number' | 'boolean' | 'object' | 'list' | 'null';

export type Coerced<T> =
  /** `from` is set when the value had another type and was converted (e.g. "24" → 24: from 'string'). */
  { ok: true; value: T; from?: ValueType } | { ok: false; reason: string };

export type Coercion<T> = (value: unknown) => Coerced<T>;

export function valueType(value: unknown): ValueType {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'list';
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') return type;
  return 'object';
}

const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/** A double keeps every decimal of up to 15 significant digits; more may be rounded. */
const MAX_EXACT_DIGITS = 15;

const ok = <T>(value: T, from?: ValueType): Coerced<T> => (from ? { ok: true, value, from } : { ok: true, value });
const refuse = (reason: string): Coerced<never> => ({ ok: false, reason });
const missing = refuse('missing');

function wrongType(value: unknown, wanted: string): Coerced<never> {
  const type = valueType(value);
  const article = type === 'object' ? 'an' : 'a';
  return refuse(`${article} ${type}, not ${wanted}`);
}

/** A finite number; numeric strings ("24", "12.50", "-1e3") that a number holds exactly. */
export function coerceNumber(value: unknown): Coerced<number> {
  if (value === null || value === undefined) return missing;
  if (typeof value === 'number') return Number.isFinite(value) ? ok(value) : refuse('not a finite number');
  if (typeof value !== 'string') return wrongType(value, 'a number');
  const text = value.trim();
  if (!NUMERIC.test(text)) return refuse('not a number');
  if (significantDigits(text) > MAX_EXACT_DIGITS) return refuse('more digits than a number keeps');
  const number = Number(text);
  return Number.isFinite(number) ? ok(number, 'string') : refuse('not a finite number');
}

/** A safe integer; numbers and numeric strings with no fractional part ("3", "3.0"). */
export function coerceInteger(value: unknown): Coerced<number> {
  if (value !== null && value !== undefined && typeof value !== 'number' && typeof value !== 'string') {
    return wrongType(value, 'an integer');
  }
  const number = coerceNumber(value);
  if (!number.ok) return number;
  if (!Number.isSafeInteger(number.value)) return refuse('not an integer');
  return number;
}

/** A string; finite numbers and booleans become their JSON text (24 → "24", true → "true"). */
export function coerceString(value: unknown): Coerced<string> {
  if (value === null || value === undefined) return missing;
  if (typeof value === 'string') return ok(value);
  if (typeof value === 'number')
    return Number.isFinite(value) ? ok(String(value), 'number') : refuse('not a finite number');
  if (typeof value === 'boolean') return ok(String(value), 'boolean');
  return wrongType(value, 'a string');
}

/** A boolean; the strings "true" and "false" (any case). Numbers are not read as booleans. */
export function coerceBoolean(value: unknown): Coerced<boolean> {
  if (value === null || value === undefined) return missing;
  if (typeof value === 'boolean') return ok(value);
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'true') return ok(true, 'string');
    if (text === 'false') return ok(false, 'string');
    return refuse('not true or false');
  }
  return wrongType(value, 'a boolean');
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;
/** Epoch values below this are seconds (until 5138), at or above it milliseconds (from 1973). */
const EPOCH_SECONDS_BELOW = 1e11;

/**
 * A point in time as an ISO-8601 string in UTC (`toISOString`): ISO-8601 dates and date-times
 * (any offset), and epoch times as numbers or numeric strings, in seconds below 10^11, else in
 * milliseconds (the same instant, whichever the SDK sent).
 */
export function coerceTimestamp(value: unknown): Coerced<string> {
  if (value === null || value === undefined) return missing;
  if (typeof value === 'string') {
    const text = value.trim();
    if (ISO_DATE.test(text)) {
      const ms = Date.parse(text);
      return Number.isNaN(ms) ? refuse('not a date-time') : ok(new Date(ms).toISOString());
    }
    const epoch = coerceNumber(text);
    return epoch.ok ? epochTimestamp(epoch.value, 'string') : refuse('not an ISO-8601 date-time');
  }
  if (typeof value === 'number') return epochTimestamp(value, 'number');
  return wrongType(value, 'a date-time');
}

function epochTimestamp(epoch: number, from: ValueType): Coerced<string> {
  const ms = Math.abs(epoch) < EPOCH_SECONDS_BELOW ? epoch * 1000 : epoch;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? refuse('not a date-time') : ok(date.toISOString(), from);
}

let currencies: ReadonlySet<string> | undefined;

/** An ISO 4217 code known to the runtime's Intl data, in upper case ("usd" → "USD"). */
export function coerceCurrency(value: unknown): Coerced<string> {
  if (value === null || value === undefined) return missing;
  if (typeof value !== 'string') return wrongType(value, 'a currency code');
  const code = value.trim().toUpperCase();
  currencies ??= new Set(Intl.supportedValuesOf('currency'));
  return currencies.has(code) ? ok(code) : refuse('not an ISO 4217 currency code');
}

const PHONE_CHARACTERS = /^[0-9+\-().\s/#*x]+$/i;

/**
 * A phone number as text: strings with at least one digit and only the characters phone numbers
 * are written with; whole non-negative numbers (14155550123) as their digits. Not reformatted:
 * adding a country code would be a guess.
 */
export function coercePhone(value: unknown): Coerced<string> {
  if (value === null || value === undefined) return missing;
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? ok(String(value), 'number') : refuse('not a phone number');
  }
  if (typeof value !== 'string') return wrongType(value, 'a phone number');
  const text = value.trim();
  return /\d/.test(text) && PHONE_CHARACTERS.test(text) ? ok(text) : refuse('not a phone number');
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** An email address: a string of the form local@domain.tld, without surrounding spaces. */
export function coerceEmail(value: unknown): Coerced<string> {
  if (value === null || value === undefined) return missing;
  if (typeof value !== 'string') return wrongType(value, 'an email address');
  const text = value.trim();
  return EMAIL.test(text) ? ok(text) : refuse('not an email address');
}

/** Every coercion by the name the field helpers and the README use. */
export const coerce = {
  number: coerceNumber,
  integer: coerceInteger,
  string: coerceString,
  boolean: coerceBoolean,
  timestamp: coerceTimestamp,
  currency: coerceCurrency,
  phone: coercePhone,
  email: coerceEmail,
} as const;

export type CoercionName = keyof typeof coerce;

function significantDigits(numeric: string): number {
  const mantissa = numeric.replace(/^[+-]/, '').replace(/[eE].*$/, '');
  return mantissa.replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length;
}
