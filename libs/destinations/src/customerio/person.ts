import { z } from 'zod';
import { defineAction, DropEventError, lenient, type Notices } from '@manifold/destination-kit';
import { coalesce, compact, isoDateTime, record, optionalText } from '../common/fields';
import { withinAttributeLimits } from './attributes';
import { entityAction, type Entity } from './entity';
import { optionalDate, optionalKey, optionalObject } from './optional';
import { isAnonymous, personIdentifiers } from './identifiers';
import { customerioSettings, type CustomerioSettings } from './settings';
import { convertIsoTimestamps, unixSeconds } from './timestamps';

const fields = z.object({
  personId: optionalText().meta({ description: 'id, email or cio_… of the person' }),
  anonymousId: optionalText(),
  email: lenient.string(),
  createdAt: optionalDate(),
  objectId: optionalKey().meta({ description: 'Object to relate the person to' }),
  objectTypeId: optionalKey(),
  attributes: record(),
  relationshipAttributes: optionalObject(),
  timestamp: isoDateTime().optional(),
});

// Keys of traits that are mapped to fields of their own, not sent as attributes (Segment's list).
const MAPPED_TRAITS = ['createdAt', 'created_at', 'object_type_id', 'objectTypeId', 'relationshipAttributes'];

function toEntities(payload: z.output<typeof fields>, settings: CustomerioSettings, notices: Notices): Entity[] {
  const identifiers = personIdentifiers({ ...payload, email: payload.email ?? undefined });
  if (!identifiers || isAnonymous(identifiers)) {
    throw new DropEventError(
      'INVALID_PAYLOAD',
      'Customer.io identifies a person by id, email or cio_id: this identify has no userId and no traits.email',
    );
  }
  let attributes: Record<string, unknown> = Object.fromEntries(
    Object.entries(payload.attributes).filter(([key]) => !MAPPED_TRAITS.includes(key)),
  );
  if (payload.createdAt !== undefined) attributes['created_at'] = payload.createdAt;
  if (payload.email) attributes['email'] = payload.email;
  if (payload.anonymousId) attributes['anonymous_id'] = payload.anonymousId;
  let relationshipAttributes = payload.relationshipAttributes;
  if (settings.convertTimestamps) {
    attributes = convertIsoTimestamps(attributes);
    if (relationshipAttributes) relationshipAttributes = convertIsoTimestamps(relationshipAttributes);
  }
  const entity: Entity = {
    type: 'person',
    action: 'identify',
    identifiers,
    attributes: withinAttributeLimits(attributes, notices),
  };
  if (payload.timestamp) entity['timestamp'] = unixSeconds(payload.timestamp);
  if (payload.objectId !== undefined) {
    entity['cio_relationships'] = [
      compact({
        identifiers: { object_type_id: String(payload.objectTypeId ?? '1'), object_id: String(payload.objectId) },
        relationship_attributes: relationshipAttributes,
      }),
    ];
  }
  return [entity];
}

export const createUpdatePerson = defineAction(customerioSettings, {
  title: 'Create or update person',
  description: 'Identify: creates the person or updates their attributes, optionally relating them to an object.',
  fields,
  defaultMapping: {
    personId: coalesce('$.userId', '$.traits.email'),
    anonymousId: { '@path': '$.anonymousId' },
    email: { '@path': '$.traits.email' },
    createdAt: coalesce('$.traits.created_at', '$.traits.createdAt'),
    objectId: { '@path': '$.traits.objectId' },
    objectTypeId: coalesce('$.traits.object_type_id', '$.traits.objectTypeId'),
    attributes: { '@path': '$.traits' },
    relationshipAttributes: { '@path': '$.traits.relationshipAttributes' },
    timestamp: { '@path': '$.timestamp' },
  },
  ...entityAction(fields, toEntities),
});
