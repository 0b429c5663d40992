import { z } from 'zod';
import { coerce, defineAction, lenient, type Notices, type RequestDescriptor } from '@manifold/destination-kit';
import { coalesce, compact, isoDateTime, optionalText, record } from '../common/fields';
import { identityFields, profileIdentity } from './identity';
import { klaviyoRequest } from './json-api';
import { klaviyoProperties } from './properties';
import { klaviyoSettings, type KlaviyoSettings } from './settings';

// Track → POST /api/events (Segment's trackEvent): the metric named by the event, the profile by
// every identifier the event has, the properties as they are, the event's time, `unique_id` =
// messageId (Klaviyo records a repeated unique_id once), and the monetary `value` with its
// currency when the properties carry one (revenue, else value).

export const eventFields = z.object({
  ...identityFields,
  metric: z.string().min(1),
  time: isoDateTime(),
  uniqueId: optionalText(),
  value: lenient.number(),
  currency: z.unknown().optional(),
  properties: record(),
});

export type EventPayload = z.output<typeof eventFields>;

export const eventMapping = {
  email: coalesce('$.context.traits.email', '$.properties.email'),
  phone: coalesce('$.context.traits.phone', '$.properties.phone'),
  externalId: { '@path': '$.userId' },
  anonymousId: { '@path': '$.anonymousId' },
  metric: { '@path': '$.event' },
  time: { '@path': '$.timestamp' },
  uniqueId: { '@path': '$.messageId' },
  value: coalesce('$.properties.revenue', '$.properties.value'),
  currency: { '@path': '$.properties.currency' },
  properties: { '@path': '$.properties' },
} as const;

/** The `data` of one event. */
export function eventData(
  payload: EventPayload,
  metric: string,
  properties: Record<string, unknown>,
  extra: { uniqueId?: string | undefined; value?: number | undefined },
  settings: KlaviyoSettings,
  notices: Notices,
): Record<string, unknown> {
  const currency =
    extra.value === undefined ? undefined : notices.coerce('value_currency', payload.currency, coerce.currency);
  return {
    type: 'event',
    attributes: compact({
      properties: klaviyoProperties(properties, 'properties', notices),
      time: new Date(payload.time).toISOString(),
      value: extra.value,
      value_currency: currency,
      unique_id: extra.uniqueId,
      metric: { data: { type: 'metric', attributes: { name: metric } } },
      profile: { data: { type: 'profile', attributes: profileIdentity(payload, settings, notices) } },
    }),
  };
}

export function eventRequest(payload: EventPayload, settings: KlaviyoSettings, notices: Notices): RequestDescriptor {
  return klaviyoRequest(
    '/api/events',
    eventData(
      payload,
      payload.metric,
      payload.properties,
      { uniqueId: payload.uniqueId, value: payload.value ?? undefined },
      settings,
      notices,
    ),
    settings,
  );
}

export const trackEvent = defineAction(klaviyoSettings, {
  title: 'Track event',
  description: 'Track: an event of the metric named by the event, on the profile.',
  fields: eventFields,
  defaultMapping: eventMapping,
  perform: (payload, settings, notices) => [eventRequest(payload, settings, notices)],
});
