import { z } from 'zod';
import { coerce, defineAction, type Notices } from '@manifold/destination-kit';
import { coalesce, compact, isoDateTime, optionalText, record } from '../common/fields';
import { bulkAction } from './bulk';
import { dataFields } from './data-fields';
import { identity, identityFields, unixSeconds } from './identity';
import { iterableSettings } from './settings';

// Track → events/track (events/trackBulk when batched), Segment's trackEvent: the event name, the
// messageId as the event `id` (Iterable keeps one event per id, so a retry overwrites instead of
// adding), `createdAt` in Unix seconds, the properties as dataFields, and `campaignId` /
// `templateId` (integers) for attribution when the properties carry them.

export const eventFields = z.object({
  ...identityFields,
  eventName: z.string().min(1),
  id: optionalText(),
  createdAt: isoDateTime(),
  campaignId: z.unknown().optional(),
  templateId: z.unknown().optional(),
  properties: record(),
});

type EventPayload = z.output<typeof eventFields>;

/** campaignId and templateId: integers for Iterable; other values stay in dataFields only. */
export function attribution(payload: EventPayload, notices: Notices): Record<string, number> {
  return compact({
    campaignId: notices.coerce('campaignId', payload.campaignId, coerce.integer),
    templateId: notices.coerce('templateId', payload.templateId, coerce.integer),
  }) as Record<string, number>;
}

function eventItem(payload: EventPayload, notices: Notices): Record<string, unknown> {
  return {
    ...identity(payload, 'events'),
    eventName: payload.eventName,
    ...compact({ id: payload.id }),
    createdAt: unixSeconds(payload.createdAt),
    dataFields: dataFields(payload.properties, 'dataFields', notices),
    ...attribution(payload, notices),
  };
}

export const eventMapping = {
  email: coalesce('$.properties.email', '$.context.traits.email'),
  userId: { '@path': '$.userId' },
  eventName: { '@path': '$.event' },
  id: { '@path': '$.messageId' },
  createdAt: { '@path': '$.timestamp' },
  campaignId: { '@path': '$.properties.campaignId' },
  templateId: { '@path': '$.properties.templateId' },
  properties: { '@path': '$.properties' },
} as const;

export const trackEvent = defineAction(iterableSettings, {
  title: 'Track event',
  description: 'Track: a custom event of the user.',
  fields: eventFields,
  defaultMapping: eventMapping,
  ...bulkAction<EventPayload>('/api/events/track', '/api/events/trackBulk', 'events', eventItem),
});
