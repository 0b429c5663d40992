import { coerce, type Notices } from '@manifold/destination-kit';
import { SHA256_HEX, sha256Hex } from '../common/sha256';
import { alphanumeric, countryCode, stateCode } from './places';

// Meta's customer information parameters: each identifying value normalised the way Meta
// specifies (not Segment's looser rules: zip codes lose their dash and +4, birthdays become
// YYYYMMDD, names and cities lose punctuation, country names become codes) and then hashed with
// SHA-256 (lowercase hex of the UTF-8 bytes). A value that already is a SHA-256 hex digest is sent
// as it is (lower-cased), never hashed twice. A value that cannot be normalised is left out with
// a notice; empty values are never hashed.

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The identifying inputs of an event, as mapped (strings, numbers or lists of them). */
export interface UserInputs {
  email?: unknown;
  phone?: unknown;
  firstName?: unknown;
  lastName?: unknown;
  gender?: unknown;
  birthday?: unknown;
  city?: unknown;
  state?: unknown;
  zip?: unknown;
  country?: unknown;
  externalId?: unknown;
}

type HashedKey = 'em' | 'ph' | 'fn' | 'ln' | 'ge' | 'db' | 'ct' | 'st' | 'zp' | 'country' | 'external_id';

/** Normalises one value for its key; a string, or why it cannot be used. */
type Normaliser = (value: string) => string | { problem: string };

const name: Normaliser = (value) =>
  value
    .normalize('NFC')
    .trim()
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, '')
    .trim();

function birthday(value: string): string | { problem: string } {
  const trimmed = value.trim();
  const match = /^(\d{4})-?(\d{2})-?(\d{2})(?:$|T)/.exec(trimmed);
  if (!match) return { problem: 'not a date (YYYY-MM-DD)' };
  const [, year, month, day] = match as unknown as [string, string, string, string];
  const date = new Date(`${year}-${month}-${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.getUTCDate() !== Number(day)) return { problem: 'not a date (YYYY-MM-DD)' };
  return `${year}${month}${day}`;
}

function zip(value: string): string {
  const clean = value.trim().toLowerCase().replace(/[\s-]/g, '');
  // US ZIP+4 ("94107-1234"): Meta takes the first five digits.
  return /^\d{9}$/.test(clean) ? clean.slice(0, 5) : clean;
}

const NORMALISERS: Record<HashedKey, Normaliser> = {
  em: (value) => {
    const email = value.trim().toLowerCase();
    return EMAIL.test(email) ? email : { problem: 'not an email address' };
  },
  ph: (value) => {
    // Digits only, without leading zeros; the country code must already be there (Meta cannot
    // be told which country a national number is from, and guessing one would be wrong).
    const digits = value.replace(/\D/g, '').replace(/^0+/, '');
    return digits.length >= 7 ? digits : { problem: 'not a phone number' };
  },
  fn: name,
  ln: name,
  ge: (value) => {
    const gender = value.trim().toLowerCase();
    if (gender === 'f' || gender === 'female') return 'f';
    if (gender === 'm' || gender === 'male') return 'm';
    return { problem: 'not a gender Meta takes (f, m)' };
  },
  db: birthday,
  ct: alphanumeric,
  st: stateCode,
  zp: zip,
  country: (value) => countryCode(value) ?? { problem: 'not a country code or English country name' },
  // Ids are case-sensitive: trimmed only, so the hash matches the pixel's for the same id.
  external_id: (value) => value.trim(),
};

export { sha256Hex };

/** The texts of a mapped value: a string, a number (as its digits), or a list of them. */
function texts(field: string, value: unknown, notices: Notices): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const item of list) {
    const text = notices.coerce(field, item, coerce.string);
    if (text !== undefined && text.trim() !== '') out.push(text);
  }
  return out;
}

/** The hashed values of one key (one, or a list when several were given), or undefined. */
function hashedValues(key: HashedKey, value: unknown, notices: Notices): string | string[] | undefined {
  const field = `user_data.${key}`;
  const hashes: string[] = [];
  for (const text of texts(field, value, notices)) {
    if (SHA256_HEX.test(text.trim())) {
      hashes.push(text.trim().toLowerCase());
      continue;
    }
    const normalised = NORMALISERS[key](text);
    if (typeof normalised !== 'string') notices.dropped(field, normalised.problem);
    else if (normalised === '') notices.dropped(field, 'empty once normalised');
    else hashes.push(sha256Hex(normalised));
  }
  const unique = [...new Set(hashes)];
  if (unique.length === 0) return undefined;
  return unique.length === 1 ? unique[0] : unique;
}

const INPUT_KEYS: [keyof UserInputs, HashedKey][] = [
  ['email', 'em'],
  ['phone', 'ph'],
  ['firstName', 'fn'],
  ['lastName', 'ln'],
  ['gender', 'ge'],
  ['birthday', 'db'],
  ['city', 'ct'],
  ['state', 'st'],
  ['zip', 'zp'],
  ['country', 'country'],
  ['externalId', 'external_id'],
];

/** The hashed customer information keys of `user_data`. */
export function hashedUserData(inputs: UserInputs, notices: Notices): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [input, key] of INPUT_KEYS) {
    const hashed = hashedValues(key, inputs[input], notices);
    if (hashed !== undefined) out[key] = hashed;
  }
  return out;
}
