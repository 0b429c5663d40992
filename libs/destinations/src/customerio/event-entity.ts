import { z } from 'zod';
import { DropEventError } from '@manifold/destination-kit';
import { isoDateTime, record } from '../common/fields';
import type { Entity } from './entity';
import { optionalId } from './optional';
import { isAnonymous, personIdentifiers } from './identifiers';
import type { CustomerioSettings } from './settings';
import { convertIsoTimestamps, unixSeconds } from './timestamps';

// What track, page and screen share: a person (known or anonymous), a named occurrence with the
// event's messageId as its dedup id, Unix-second timestamp and attributes.

export const MAX_NAME_BYTES = 100;

export const occurrenceFields = {
  personId: optionalId(),
  anonymousId: optionalId(),
  eventId: optionalId().meta({ description: 'Dedup key: the messageId' }),
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

/** An event name Customer.io takes: not blank, at most 100 bytes. */
export const occurrenceName = () =>
  nonBlank().refine((name) => Buffer.byteLength(name) <= MAX_NAME_BYTES, {
    message: `Customer.io names are at most ${MAX_NAME_BYTES} bytes`,
  });

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
): Entity {
  const identifiers = personIdentifiers({ personId: payload.personId, anonymousId: payload.anonymousId });
  if (!identifiers) {
    throw new DropEventError('INVALID_PAYLOAD', `Customer.io ${action} needs a userId or an anonymousId`);
  }
  let attributes = { ...payload.data };
  // Ties the anonymous activity to the known person (Segment's buildPayload does the same).
  if (payload.anonymousId && !isAnonymous(identifiers)) attributes['anonymous_id'] = payload.anonymousId;
  if (settings.convertTimestamps) attributes = convertIsoTimestamps(attributes);
  const entity: Entity = { type: 'person', action, identifiers, name: payload.name };
  if (payload.eventId) entity['id'] = payload.eventId;
  if (payload.timestamp) entity['timestamp'] = unixSeconds(payload.timestamp);
  entity['attributes'] = attributes;
  return entity;
}
