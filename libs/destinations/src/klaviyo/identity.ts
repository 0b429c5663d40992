import { z } from 'zod';
import { DropEventError, lenient, type Notices } from '@manifold/destination-kit';
import { compact, optionalText } from '../common/fields';
import type { KlaviyoSettings } from './settings';

// How an event names its Klaviyo profile: email, phone_number (E.164), external_id (the userId),
// anonymous_id. Klaviyo needs at least one.

export const identityFields = {
  email: lenient.email(),
  phone: lenient.phone(),
  externalId: optionalText(),
  anonymousId: optionalText(),
};

export const identitySchema = z.object(identityFields);
type Identity = z.output<typeof identitySchema>;

/**
 * A phone number in E.164 (+ and up to 15 digits). Numbers written with + or 00 keep their
 * country code; others get the default country code setting, or are left out: a country code
 * would be a guess.
 */
export function e164(phone: string, settings: KlaviyoSettings, notices: Notices): string | undefined {
  const digits = phone.replace(/\D/g, '');
  const trimmed = phone.trim();
  let number: string | undefined;
  if (trimmed.startsWith('+')) number = digits;
  else if (trimmed.startsWith('00')) number = digits.slice(2);
  else if (settings.defaultCountryCode) number = `${settings.defaultCountryCode}${digits.replace(/^0+/, '')}`;
  if (number === undefined) {
    notices.dropped('phone_number', 'no country code (+…) and no default country code setting');
    return undefined;
  }
  if (!/^[1-9]\d{6,14}$/.test(number)) {
    notices.dropped('phone_number', 'not a phone number E.164 can write');
    return undefined;
  }
  return `+${number}`;
}

/** Klaviyo refuses a profile whose external_id is longer than this (in characters). */
export const MAX_EXTERNAL_ID_CHARS = 255;

/** The external id, unless it is longer than Klaviyo takes (then left out with a notice). */
function externalId(value: string | undefined, notices: Notices): string | undefined {
  if (value === undefined || value.length <= MAX_EXTERNAL_ID_CHARS) return value;
  notices.dropped('external_id', `longer than Klaviyo’s ${MAX_EXTERNAL_ID_CHARS} characters`);
  return undefined;
}

/** The identifier attributes of a profile; drops the event when there is none. */
export function profileIdentity(
  payload: Identity,
  settings: KlaviyoSettings,
  notices: Notices,
): Record<string, string> {
  const identity = compact({
    email: payload.email ?? undefined,
    phone_number: payload.phone ? e164(payload.phone, settings, notices) : undefined,
    external_id: externalId(payload.externalId, notices),
    anonymous_id: payload.anonymousId,
  }) as Record<string, string>;
  if (Object.keys(identity).length === 0) {
    throw new DropEventError(
      'INVALID_PAYLOAD',
      'Klaviyo needs a profile identifier: email, phone_number, external_id or anonymous_id',
    );
  }
  return identity;
}
