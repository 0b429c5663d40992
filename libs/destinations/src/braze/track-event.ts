import { z } from 'zod';
import { defineAction, lenient, type Notices } from '@manifold/destination-kit';
import { coalesce, compact, isoDateTime, record, optionalText } from '../common/fields';
import { brazeProperties } from './properties';
import { brazeSettings, type BrazeSettings } from './settings';
import { identity, isoTime, usersTrackAction, type TrackObject } from './users-track';

// Track → one `events` object (Segment's trackEvent preset): the event name, `time` when the
// event happened (its timestamp; Segment's preset takes receivedAt, which dates events queued
// offline on a phone at their upload), properties as they are (less what Braze refuses, with a
// notice).

const fields = z.object({
  externalId: optionalText(),
  email: lenient.email(),
  brazeId: lenient.string(),
  name: z.string().min(1),
  time: isoDateTime(),
  properties: record(),
});

type EventPayload = z.output<typeof fields>;

/** One `events` object: `name` happened to the user at `time`, with `properties`. */
export function eventObject(payload: EventPayload, settings: BrazeSettings, notices: Notices): TrackObject {
  return {
    array: 'events',
    object: {
      ...identity(payload, 'track'),
      ...compact({ app_id: settings.appId }),
      name: payload.name,
      time: isoTime(payload.time),
      properties: brazeProperties(payload.properties, 'properties', notices),
      _update_existing_only: settings.updateExistingOnly,
    },
  };
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
    time: coalesce('$.timestamp', '$.receivedAt'),
    properties: { '@path': '$.properties' },
  },
  ...usersTrackAction(fields, (payload, settings, notices) => [eventObject(payload, settings, notices)]),
});
