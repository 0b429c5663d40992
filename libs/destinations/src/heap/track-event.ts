import { z } from 'zod';
import { defineAction } from '@manifold/destination-kit';
import { coalesce, compact, isoDateTime, record } from '../common/fields';
import { bulkAction } from './bulk';
import { heapProperties, heapUserProperties } from './properties';
import { heapSettings } from './settings';

// Track, page and screen calls as Heap events on /api/track. The identity is the userId, or the
// anonymousId for visitors without one (Heap's public API has no anonymous events: such a visitor
// is a user of its own until merged). The messageId is the idempotency key, so a retried event is
// stored once. The traits in the event's context go along as user properties.

export const IDENTITY = z.string().min(1).max(255, 'Heap identities are at most 255 characters');

const fields = z.object({
  event: z.string().min(1).max(1024, 'Heap event names are at most 1024 characters'),
  identity: IDENTITY,
  timestamp: isoDateTime(),
  messageId: z.string().min(1),
  properties: record(),
  traits: record(),
});

export const trackEvent = defineAction(heapSettings, {
  title: 'Track event',
  description: 'Sends track, page and screen calls as Heap events.',
  fields,
  defaultMapping: {
    event: { '@path': '$.event' },
    identity: coalesce('$.userId', '$.anonymousId'),
    timestamp: { '@path': '$.timestamp' },
    messageId: { '@path': '$.messageId' },
    properties: { '@path': '$.properties' },
    traits: { '@path': '$.context.traits' },
  },
  ...bulkAction(fields, (payload, notices) => ({
    events: compact({
      event: payload.event,
      identity: payload.identity,
      timestamp: payload.timestamp,
      idempotency_key: payload.messageId,
      properties: heapProperties(payload.properties, 'properties', notices),
    }),
    // The traits an event carries are the user's properties at that time.
    ...(Object.keys(payload.traits).length > 0
      ? {
          users: {
            identity: payload.identity,
            properties: heapUserProperties(payload.traits, 'context.traits', notices),
          },
        }
      : {}),
  })),
});
