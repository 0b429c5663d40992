import { z } from 'zod';
import { DropEventError, type Notices } from '@manifold/destination-kit';
import { cutText } from '../common/cut-text';
import { isoDateTime, record, optionalText } from '../common/fields';
import type { Entity } from './entity';
import { isAnonymous, personIdentifiers } from './identifiers';
import type { CustomerioSettings } from './settings';
import { convertIsoTimestamps, unixSeconds } from './timestamps';

// What track, page and screen share: a person (known or anonymous), a named occurrence with the
// event's messageId as its dedup id, Unix-second timestamp and attributes.

export const MAX_NAME_BYTES = 100;

export const occurrenceFields = {
  personId: optionalText(),
  anonymousId: optionalText(),
  eventId: optionalText().meta({ description: 'Dedup key: the messageId' }),
  timestamp: isoDateTime().optional(),
  data: record(),
};

export const occurrenceMapping = {
  personId: { '@path': '$.userId' },
  anonymousId: { '@path': '$.anonymousId' },
  eventId: { '@path': '$.messageId' },
  timestamp: { '@path': '$.timestamp' },
  data: { '@path': '$.properties' },
} as const;

export const nonBlank = () => z.string().refine((name) => name.trim() !== '', { message: 'must not be blank' });

/** An event name: not blank (a longer one than Customer.io's 100 bytes is cut, see `eventName`). */
export const occurrenceName = nonBlank;

/** The name cut to Customer.io's 100 bytes (at a character boundary), with a notice when it was. */
function eventName(name: string, notices: Notices): string {
  return cutText(name, MAX_NAME_BYTES, 'name', notices, 'utf8');
}

export interface Occurrence {
  personId?: string | undefined;
  anonymousId?: string | undefined;
  eventId?: string | undefined;
  timestamp?: string | undefined;
  data: Record<string, unknown>;
  name: string;
}

export function occurrenceEntity(
  action: 'event' | 'page' | 'screen',
  payload: Occurrence,
  settings: CustomerioSettings,
  notices: Notices,
): Entity {
  const identifiers = personIdentifiers({ personId: payload.personId, anonymousId: payload.anonymousId });
  if (!identifiers) {
    throw new DropEventError('INVALID_PAYLOAD', `Customer.io ${action} needs a userId or an anonymousId`);
  }
  let attributes = { ...payload.data };
  // Ties the anonymous activity to the known person (Segment's buildPayload does the same).
  if (payload.anonymousId && !isAnonymous(identifiers)) attributes['anonymous_id'] = payload.anonymousId;
  if (settings.convertTimestamps) attributes = convertIsoTimestamps(attributes);
  const name = action === 'event' ? eventName(payload.name, notices) : payload.name;
  const entity: Entity = { type: 'person', action, identifiers, name };
  if (payload.eventId) entity['id'] = payload.eventId;
  if (payload.timestamp) entity['timestamp'] = unixSeconds(payload.timestamp);
  entity['attributes'] = attributes;
  return entity;
}
