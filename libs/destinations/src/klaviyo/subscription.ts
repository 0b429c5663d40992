import { coerce, type Notices } from '@manifold/destination-kit';
import { compact } from '../common/fields';
import { e164 } from './identity';
import type { KlaviyoSettings } from './settings';

// A marketing subscription job (POST /api/profile-subscription-bulk-create-jobs) for one profile
// that gave consent: the channels it named (email, sms), else email when an email is known, else
// SMS; each channel needs its identifier (email, E.164 phone_number). Used by "User Subscribed"
// tracks and by identifies whose traits give consent.

const CHANNELS = ['email', 'sms'] as const;
type Channel = (typeof CHANNELS)[number];

export interface Consent {
  email?: string | undefined;
  phone?: string | undefined;
  /** The channels named by the event (a list or one name); absent = by the identifiers known. */
  channels?: unknown;
  /** The list to join; the settings' list when absent. */
  listId?: string | undefined;
}

function channels(consent: Consent, notices: Notices): Channel[] {
  const given = consent.channels;
  if (given === undefined || given === null) return consent.email ? ['email'] : ['sms'];
  const list = (Array.isArray(given) ? given : [given]).map((c) => coerce.string(c));
  const known = list.flatMap((c) => {
    const name = c.ok ? c.value.toLowerCase() : '';
    if ((CHANNELS as readonly string[]).includes(name)) return [name as Channel];
    notices.dropped('channels', 'not a Klaviyo channel (email, sms)');
    return [];
  });
  return [...new Set(known)];
}

/** The job's `data`, or undefined when no named channel has its identifier. */
export function subscriptionJob(
  consent: Consent,
  settings: KlaviyoSettings,
  notices: Notices,
): Record<string, unknown> | undefined {
  const wanted = channels(consent, notices);
  const phone = wanted.includes('sms') && consent.phone ? e164(consent.phone, settings, notices) : undefined;
  const email = wanted.includes('email') ? consent.email : undefined;
  const subscriptions = compact({
    email: email ? { marketing: { consent: 'SUBSCRIBED' } } : undefined,
    sms: phone ? { marketing: { consent: 'SUBSCRIBED' } } : undefined,
  });
  if (Object.keys(subscriptions).length === 0) return undefined;
  const listId = consent.listId ?? settings.listId;
  return {
    type: 'profile-subscription-bulk-create-job',
    attributes: {
      profiles: {
        data: [{ type: 'profile', attributes: compact({ email, phone_number: phone, subscriptions }) }],
      },
    },
    ...(listId ? { relationships: { list: { data: { type: 'list', id: listId } } } } : {}),
  };
}
