import { z } from 'zod';
import { defineAction, type Notices } from '@manifold/destination-kit';
import { coalesce, compact, record, optionalText } from '../common/fields';
import { withinAttributeLimits } from './attributes';
import { entityAction, type Entity } from './entity';
import { personIdentifiers } from './identifiers';
import { optionalDate, optionalKey, optionalObject } from './optional';
import { customerioSettings, type CustomerioSettings } from './settings';
import { convertIsoTimestamps } from './timestamps';

// Group → the object (the group) with the group's traits as its attributes, related to the
// person. Segment's preset takes attributes only from traits.objectAttributes, which analytics
// SDKs never fill on their own; here every trait is an attribute (objectAttributes adds to them,
// and wins on a clash), except the traits that configure the object and relationship.

/** Traits that configure the object or the relationship rather than describe the object. */
const CONFIGURING_TRAITS = [
  'objectAttributes',
  'relationshipAttributes',
  'object_type_id',
  'objectTypeId',
  'createdAt',
  'created_at',
];

const fields = z.object({
  objectId: z.union([z.string().min(1), z.number()]).meta({ description: 'The groupId' }),
  objectTypeId: optionalKey().meta({ description: 'Object type; "1" when absent' }),
  createdAt: optionalDate(),
  traits: record().meta({ description: 'Object attributes: the group traits' }),
  attributes: record().meta({ description: 'More object attributes (traits.objectAttributes); win over traits' }),
  relationshipAttributes: optionalObject(),
  userId: optionalText(),
  anonymousId: optionalText(),
});

function toEntities(payload: z.output<typeof fields>, settings: CustomerioSettings, notices: Notices): Entity[] {
  const traits = Object.entries(payload.traits).filter(([key]) => !CONFIGURING_TRAITS.includes(key));
  let attributes: Record<string, unknown> = { ...Object.fromEntries(traits), ...payload.attributes };
  delete attributes['object_type_id'];
  if (payload.createdAt !== undefined) attributes['created_at'] = payload.createdAt;
  let relationshipAttributes = payload.relationshipAttributes;
  if (settings.convertTimestamps) {
    attributes = convertIsoTimestamps(attributes);
    if (relationshipAttributes) relationshipAttributes = convertIsoTimestamps(relationshipAttributes);
  }
  // Relating an anonymous person needs the "identify_anonymous" action (Segment's createUpdateObject).
  const person = payload.userId
    ? personIdentifiers({ personId: payload.userId })
    : payload.anonymousId
      ? { anonymous_id: payload.anonymousId }
      : undefined;
  const entity: Entity = {
    type: 'object',
    action: payload.userId || !payload.anonymousId ? 'identify' : 'identify_anonymous',
    identifiers: { object_type_id: String(payload.objectTypeId ?? '1'), object_id: String(payload.objectId) },
    attributes: withinAttributeLimits(attributes, notices),
  };
  if (person) {
    entity['cio_relationships'] = [compact({ identifiers: person, relationship_attributes: relationshipAttributes })];
  }
  return [entity];
}

export const createUpdateObject = defineAction(customerioSettings, {
  title: 'Create or update object',
  description: 'Group: creates or updates the object (objectTypeId "1" by default) and relates the person to it.',
  fields,
  defaultMapping: {
    objectId: { '@path': '$.groupId' },
    objectTypeId: coalesce('$.traits.object_type_id', '$.traits.objectTypeId'),
    createdAt: coalesce('$.traits.created_at', '$.traits.createdAt'),
    traits: { '@path': '$.traits' },
    attributes: { '@path': '$.traits.objectAttributes' },
    relationshipAttributes: { '@path': '$.traits.relationshipAttributes' },
    userId: { '@path': '$.userId' },
    anonymousId: { '@path': '$.anonymousId' },
  },
  ...entityAction(fields, toEntities),
});
