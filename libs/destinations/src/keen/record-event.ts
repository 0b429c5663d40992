import { defineAction, DropEventError, type Notices } from '@manifold/destination-kit';
import { coalesce } from '../common/fields';
import { collectionName, eventNames } from './collections';
import { eventsRequests, type CollectedEvent } from './events-request';
import { eventFields, keenEvent, type EventPayload } from './keen-event';
import { keenSettings, type KeenSettings } from './settings';

// Track, page and screen calls recorded through the multiple-events endpoint: one collection per
// event name (a page or screen call in up to three, per the page settings).

type Payload = EventPayload;

function collect(payload: Payload, index: number, settings: KeenSettings, notices: Notices): CollectedEvent[] {
  const names = eventNames(payload, settings);
  if (payload.type === 'track' && !payload.event) {
    throw new DropEventError('INVALID_PAYLOAD', 'event: a track call needs an event name (its collection)');
  }
  if (names.length === 0) {
    throw new DropEventError(
      'NOTHING_TO_SEND',
      `no ${payload.type} setting applies (all off, or the call has no name or category)`,
    );
  }
  const event = keenEvent(payload, settings, notices);
  return names.map((name) => ({ collection: collectionName(name, notices), event, payload: index }));
}

export const recordEvent = defineAction(keenSettings, {
  title: 'Record event',
  description: 'Records track, page and screen calls in the collection named after each event.',
  fields: eventFields,
  defaultMapping: {
    type: { '@path': '$.type' },
    event: { '@path': '$.event' },
    name: { '@path': '$.name' },
    category: { '@path': '$.category' },
    properties: { '@path': '$.properties' },
    userId: { '@path': '$.userId' },
    anonymousId: { '@path': '$.anonymousId' },
    messageId: { '@path': '$.messageId' },
    timestamp: { '@path': '$.timestamp' },
    pageUrl: coalesce('$.properties.url', '$.context.page.url'),
    referrer: { '@path': '$.context.page.referrer' },
    userAgent: { '@path': '$.context.userAgent' },
    ip: { '@path': '$.context.ip' },
    traits: { '@path': '$.context.traits' },
  },
  perform: (payload, settings, notices) => eventsRequests(collect(payload, 0, settings, notices), settings),
  batch: {
    maxEvents: 1000,
    size: (settings) => settings.batchSize,
    perform: (payloads, settings, notices) =>
      eventsRequests(
        payloads.flatMap((payload, i) => collect(payload, i, settings, notices[i] as Notices)),
        settings,
      ),
  },
});
