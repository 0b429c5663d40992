import { z } from 'zod';
import type { Notices } from '@manifold/destination-kit';
import { compact, isoDateTime, optionalText, record, soft } from '../common/fields';
import { keenNamespace } from './keen-namespace';
import { keenObject, keenValue } from './property-names';
import type { KeenSettings } from './settings';

// One Keen event from a track, page or screen call: the properties (names made valid), then what
// Segment's Keen integration added — userId (else anonymousId), page and referrer URLs, user agent,
// IP — plus the anonymousId and the context traits, each only where the properties do not already
// have that name (the user's own data wins), and the `keen` object.

export const eventFields = z.object({
  type: z.enum(['track', 'page', 'screen']),
  event: optionalText(),
  name: soft.string(),
  category: soft.string(),
  properties: record(),
  userId: optionalText(),
  anonymousId: optionalText(),
  messageId: z.string().min(1),
  timestamp: isoDateTime(),
  pageUrl: soft.string(),
  referrer: soft.string(),
  userAgent: soft.string(),
  ip: soft.string(),
  traits: record(),
});

export type EventPayload = z.output<typeof eventFields>;

export function keenEvent(payload: EventPayload, settings: KeenSettings, notices: Notices): Record<string, unknown> {
  const { keen, ...properties } = payload.properties;
  const event = keenObject(properties, 'properties', notices);
  const traits = Object.keys(payload.traits).length > 0 ? keenValue(payload.traits, 'traits', notices) : undefined;
  const added = compact({
    name: payload.type === 'track' ? undefined : payload.name,
    category: payload.type === 'page' ? payload.category : undefined,
    userId: payload.userId ?? payload.anonymousId,
    anonymousId: payload.anonymousId,
    page_url: payload.pageUrl,
    referrer_url: payload.referrer,
    user_agent: payload.userAgent,
    ip_address: payload.ip,
    traits,
  });
  for (const [key, value] of Object.entries(added)) if (!(key in event)) event[key] = value;
  event['keen'] = keenNamespace(event, keen, payload.timestamp, payload.messageId, settings, notices);
  return event;
}
