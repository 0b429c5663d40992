import { z } from 'zod';
import { snakeCase } from '@manifold/events';
import { defineAction, DropEventError, lenient, Notices } from '@manifold/destination-kit';
import { cutToLimit } from '../common/cut-text';
import { eventUuid } from '../common/event-uuid';
import { coalesce, isoDateTime, optionalText, record } from '../common/fields';
import { propertyName, propertyValue } from './properties';
import { eventBatchRequests, MAX_EVENT_INPUTS, occurrencesRequest } from './events-batch';
import { hubspotSettings, type HubspotSettings } from './settings';

// Track → one occurrence of a custom behavioural event (POST /events/v3/send, Segment's
// sendCustomBehavioralEvent preset; several events' occurrences in one POST /events/v3/send/batch,
// see events-batch.ts). The event must be defined in HubSpot under its fully
// qualified name `pe<HubID>_<name>`: the Spec name in snake case ("Order Completed" →
// pe123_order_completed) unless the mapping gives a qualified one. `uuid` (from the messageId)
// makes a retried occurrence count once.

/** HubSpot's limits on occurrence properties (2021 changelog; see README). */
const MAX_PROPERTIES = 50;
const MAX_VALUE = 50;
const MAX_URL_VALUE = 200;

const fields = z.object({
  eventName: z.string().min(1),
  email: lenient.email(),
  utk: optionalText(),
  objectId: optionalText(),
  occurredAt: isoDateTime(),
  uuid: z.string().min(1),
  properties: record(),
});

type EventPayload = z.output<typeof fields>;

/** The qualified name: kept when it already is one of this account, else pe<HubID>_<snake case>. */
export function qualifiedEventName(name: string, portalId: string): string {
  if (new RegExp(`^pe${portalId}_[a-z0-9_]+$`).test(name)) return name;
  const words = snakeCase(name);
  if (!/^[a-z0-9_]+$/.test(words) || words === '') {
    throw new DropEventError('INVALID_PAYLOAD', `no HubSpot event name can be made of ${JSON.stringify(name)}`);
  }
  return `pe${portalId}_${words}`;
}

function eventProperties(properties: Record<string, unknown>, notices: Notices): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(properties)) {
    if (raw === undefined) continue;
    const name = propertyName(key, 'properties', notices);
    if (name === undefined) continue;
    if (name.length > 50) {
      notices.dropped(`properties.${key}`, 'HubSpot event property names are at most 50 characters');
      continue;
    }
    if (Object.keys(out).length >= MAX_PROPERTIES) {
      notices.dropped(`properties.${key}`, `HubSpot takes at most ${MAX_PROPERTIES} properties per event`);
      continue;
    }
    let value = propertyValue(raw, `properties.${key}`, notices);
    const limit = typeof value === 'string' && /^https?:\/\//i.test(value) ? MAX_URL_VALUE : MAX_VALUE;
    if (typeof value === 'string' && value.length > limit) {
      notices.reshaped(`properties.${key}`, `cut to HubSpot's ${limit} characters`);
      value = cutToLimit(value, limit);
    }
    out[name] = value;
  }
  return out;
}

/** The occurrence HubSpot records for one event: its qualified name, the contact, time, uuid, properties. */
export function eventOccurrence(payload: EventPayload, settings: HubspotSettings, notices: Notices) {
  const identity = payload.email
    ? { email: payload.email }
    : payload.utk
      ? { utk: payload.utk }
      : payload.objectId
        ? { objectId: payload.objectId }
        : undefined;
  if (!identity) {
    throw new DropEventError('INVALID_PAYLOAD', 'a HubSpot event needs the contact: an email, a utk or an objectId');
  }
  return {
    eventName: qualifiedEventName(payload.eventName, settings.portalId),
    ...identity,
    occurredAt: new Date(payload.occurredAt).toISOString(),
    uuid: eventUuid(payload.uuid),
    properties: eventProperties(payload.properties, notices),
  };
}

export const sendEvent = defineAction(hubspotSettings, {
  title: 'Send custom behavioural event',
  description: 'Track: an occurrence of the custom event pe<HubID>_<event name> for the contact.',
  fields,
  defaultMapping: {
    eventName: { '@path': '$.event' },
    email: coalesce('$.properties.email', '$.context.traits.email'),
    occurredAt: coalesce('$.timestamp', '$.receivedAt'),
    uuid: { '@path': '$.messageId' },
    properties: { '@path': '$.properties' },
  },
  perform: (payload, settings, notices) => [
    occurrencesRequest([eventOccurrence(payload, settings, notices)], [0], settings),
  ],
  batch: {
    maxEvents: MAX_EVENT_INPUTS,
    size: (settings) => settings.eventBatchSize,
    perform: (payloads, settings, notices) =>
      eventBatchRequests(
        payloads.map((payload, i) => eventOccurrence(payload, settings, notices[i] ?? new Notices())),
        settings,
      ),
  },
});
