import { z } from 'zod';
import { defineAction, DropEventError, type Notices } from '@manifold/destination-kit';
import { coalesce } from '../common/fields';
import { klaviyoRequest } from './json-api';
import { klaviyoSettings, type KlaviyoSettings } from './settings';
import { subscriptionJob } from './subscription';
import { eventFields, eventMapping, eventRequest } from './track-event';

// "User Subscribed" (Segment's subscribeProfile trigger): the user consented to marketing, so the
// profile is subscribed (subscription.ts), to the list of the settings when there is one. The
// channels are `properties.channels` (or `channel`: "email", "sms") when the event names them.
// The event itself is also recorded, as any track is.

const fields = eventFields.extend({ channels: z.unknown().optional() });
type SubscribePayload = z.output<typeof fields>;

function subscriptionData(payload: SubscribePayload, settings: KlaviyoSettings, notices: Notices) {
  const job = subscriptionJob(
    { email: payload.email ?? undefined, phone: payload.phone ?? undefined, channels: payload.channels },
    settings,
    notices,
  );
  if (!job) {
    throw new DropEventError(
      'INVALID_PAYLOAD',
      'a Klaviyo subscription needs an email (email channel) or an E.164 phone_number (sms channel)',
    );
  }
  return job;
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
