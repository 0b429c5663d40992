import { z } from 'zod';
import { defineAction } from '@manifold/destination-kit';
import { coalesce, compact, isoDateTime, record } from '../common/fields';
import { optionalText } from './optional';
import { brazeSettings, type BrazeSettings } from './settings';
import { identity, isoTime, usersTrackAction } from './users-track';

// Track → one `events` object (Segment's trackEvent preset): the event name, `time` from
// receivedAt as in Segment's preset, properties as they are.

const fields = z.object({
  externalId: optionalText(),
  email: optionalText(),
  brazeId: optionalText(),
  name: z.string().min(1),
  time: isoDateTime(),
  properties: record(),
});

function toObjects(payload: z.output<typeof fields>, settings: BrazeSettings): Record<string, unknown>[] {
  return [
    {
      ...identity(payload, 'track'),
      ...compact({ app_id: settings.appId }),
      name: payload.name,
      time: isoTime(payload.time),
      properties: payload.properties,
      _update_existing_only: settings.updateExistingOnly,
    },
  ];
}

export const trackEvent = defineAction(brazeSettings, {
  title: 'Track event',
  description: 'Track: a custom event of the user.',
  fields,
  defaultMapping: {
    externalId: { '@path': '$.userId' },
    email: coalesce('$.context.traits.email', '$.properties.email'),
    brazeId: { '@path': '$.properties.braze_id' },
    name: { '@path': '$.event' },
    time: { '@path': '$.receivedAt' },
    properties: { '@path': '$.properties' },
  },
  ...usersTrackAction(fields, 'events', toObjects),
});
