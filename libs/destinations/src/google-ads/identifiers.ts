import type { Notices } from '@manifold/destination-kit';
import { SHA256_HEX, sha256Hex } from '../common/sha256';

// Enhanced conversions' user identifiers, normalised as Google specifies before hashing:
// emails trimmed and lower-cased, with every period of the local part removed for gmail.com and
// googlemail.com (Segment removes only the first); phones in E.164 (`+`, country code, at most 15
// digits). A value that already is a SHA-256 digest is passed through; one that cannot be
// normalised is left out with a notice.

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export type UserIdentifier = { hashedEmail: string } | { hashedPhoneNumber: string };

/** The normalised email Google hashes, or undefined when it is not an email. */
export function normalisedEmail(raw: string): string | undefined {
  const email = raw.trim().toLowerCase();
  if (!EMAIL.test(email)) return undefined;
  const at = email.lastIndexOf('@');
  const [local, domain] = [email.slice(0, at), email.slice(at + 1)];
  return domain === 'gmail.com' || domain === 'googlemail.com' ? `${local.replace(/\./g, '')}@${domain}` : email;
}

/**
 * A North American number (country code 1) written with its country code but without `+`
 * (`1 650 555 1212`): national numbers there are 10 digits and never start with 1, so 11 digits
 * starting with 1 already carry the code. Elsewhere national lengths vary, and a number without
 * `+` or `00` is read as national.
 */
const NANP_WITH_CODE = /^1[2-9]\d{9}$/;

/** The E.164 form of a phone number, or undefined when none can be made of it. */
export function e164(raw: string, defaultCountryCode: string): string | undefined {
  const trimmed = raw.trim();
  const digits = trimmed.replace(/\D/g, '');
  const international = trimmed.startsWith('+') || trimmed.startsWith('00');
  const full = international
    ? digits.replace(/^00/, '')
    : defaultCountryCode === '1' && NANP_WITH_CODE.test(digits)
      ? digits
      : `${defaultCountryCode}${digits.replace(/^0/, '')}`;
  return /^[1-9]\d{7,14}$/.test(full) ? `+${full}` : undefined;
}

export function userIdentifiers(
  email: string | undefined,
  phone: string | undefined,
  defaultCountryCode: string,
  notices: Notices,
): UserIdentifier[] {
  const out: UserIdentifier[] = [];
  if (email) {
    const hashed = SHA256_HEX.test(email.trim())
      ? email.trim().toLowerCase()
      : mapDefined(normalisedEmail(email), sha256Hex);
    if (hashed) out.push({ hashedEmail: hashed });
    else notices.dropped('email', 'not an email address');
  }
  if (phone) {
    const hashed = SHA256_HEX.test(phone.trim())
      ? phone.trim().toLowerCase()
      : mapDefined(e164(phone, defaultCountryCode), sha256Hex);
    if (hashed) out.push({ hashedPhoneNumber: hashed });
    else notices.dropped('phone', 'no E.164 phone number can be made of it');
  }
  return out;
}

function mapDefined<T, U>(value: T | undefined, f: (value: T) => U): U | undefined {
  return value === undefined ? undefined : f(value);
}
