import { z } from 'zod';
import { coerce, defineAction, DropEventError, type Notices } from '@manifold/destination-kit';
import { coalesce, compact } from '../common/fields';
import { e164 } from './identity';
import { klaviyoRequest } from './json-api';
import { klaviyoSettings, type KlaviyoSettings } from './settings';
import { eventFields, eventMapping, eventRequest } from './track-event';

// "User Subscribed" (Segment's subscribeProfile trigger): the user consented to marketing, so the
// profile is subscribed through POST /api/profile-subscription-bulk-create-jobs, to the list of
// the settings when there is one. The channels are `properties.channels` (or `channel`: "email",
// "sms") when the event names them, else email when an email is known, else SMS. The event itself
// is also recorded, as any track is.

const CHANNELS = ['email', 'sms'] as const;
type Channel = (typeof CHANNELS)[number];

const fields = eventFields.extend({ channels: z.unknown().optional() });
type SubscribePayload = z.output<typeof fields>;

function channels(payload: SubscribePayload, notices: Notices): Channel[] {
  const given = payload.channels;
  if (given === undefined || given === null) return payload.email ? ['email'] : ['sms'];
  const list = (Array.isArray(given) ? given : [given]).map((c) => coerce.string(c));
  const known = list.flatMap((c) => {
    const name = c.ok ? c.value.toLowerCase() : '';
    if ((CHANNELS as readonly string[]).includes(name)) return [name as Channel];
    notices.dropped('channels', 'not a Klaviyo channel (email, sms)');
    return [];
  });
  return [...new Set(known)];
}

function subscriptionData(payload: SubscribePayload, settings: KlaviyoSettings, notices: Notices) {
  const wanted = channels(payload, notices);
  const phone = wanted.includes('sms') && payload.phone ? e164(payload.phone, settings, notices) : undefined;
  const email = wanted.includes('email') ? (payload.email ?? undefined) : undefined;
  const subscriptions = compact({
    email: email ? { marketing: { consent: 'SUBSCRIBED' } } : undefined,
    sms: phone ? { marketing: { consent: 'SUBSCRIBED' } } : undefined,
  });
  if (Object.keys(subscriptions).length === 0) {
    throw new DropEventError(
      'INVALID_PAYLOAD',
      'a Klaviyo subscription needs an email (email channel) or an E.164 phone_number (sms channel)',
    );
  }
  return {
    type: 'profile-subscription-bulk-create-job',
    attributes: {
      profiles: {
        data: [{ type: 'profile', attributes: compact({ email, phone_number: phone, subscriptions }) }],
      },
    },
    ...(settings.listId ? { relationships: { list: { data: { type: 'list', id: settings.listId } } } } : {}),
  };
}

export const subscribeProfile = defineAction(klaviyoSettings, {
  title: 'Subscribe profile',
  description: 'User Subscribed: subscribes the profile to email or SMS marketing (and records the event).',
  fields,
  defaultMapping: {
    ...eventMapping,
    email: coalesce('$.properties.email', '$.context.traits.email'),
    phone: coalesce('$.properties.phone', '$.context.traits.phone'),
    channels: coalesce('$.properties.channels', '$.properties.channel'),
  },
  perform: (payload, settings, notices) => [
    klaviyoRequest(
      '/api/profile-subscription-bulk-create-jobs',
      subscriptionData(payload, settings, notices),
      settings,
    ),
    eventRequest(payload, settings, notices),
  ],
});
