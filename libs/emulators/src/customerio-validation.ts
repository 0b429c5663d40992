import { isPlainObject } from '@manifold/json';

// Customer.io Track API rules: what makes a v2 entity (or a v1
// body translated to one) invalid, with the API's error texts where the reference gives them.

export const MAX_ENTITY_BYTES = 32 * 1024;
const MAX_IDENTIFIER_BYTES = 150;
const MAX_ATTRIBUTES = 300;
const MAX_ATTRIBUTE_NAME_BYTES = 150;
const MAX_ATTRIBUTE_VALUE_BYTES = 1000;
const MAX_EVENT_NAME_BYTES = 100;
const MAX_EVENT_DATA_BYTES = 100_000;
/** Unix seconds stay below this until the year 5138; anything larger is milliseconds. */
const MAX_UNIX_SECONDS = 1e11;

export interface EntityProblem {
  field: string;
  message: string;
}

const ACTIONS: Record<string, readonly string[]> = {
  person: [
    'identify',
    'event',
    'page',
    'screen',
    'delete',
    'merge',
    'add_relationships',
    'delete_relationships',
    'add_device',
    'delete_device',
    'suppress',
    'unsuppress',
  ],
  object: ['identify', 'identify_anonymous', 'delete', 'add_relationships', 'delete_relationships'],
};

const PERSON_KEYS = ['id', 'email', 'cio_id'];
/** Actions that may name an anonymous person by `anonymous_id`. */
const ANONYMOUS_OK = ['event', 'page', 'screen'];

const bytes = (value: unknown) => Buffer.byteLength(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));

/** The first problem of one v2 entity, or undefined when the API would take it. */
export function entityProblem(entity: unknown): EntityProblem | undefined {
  if (!isPlainObject(entity)) return { field: '', message: 'entity must be an object' };
  if (bytes(entity) > MAX_ENTITY_BYTES) {
    return { field: '', message: `entity cannot be larger than ${MAX_ENTITY_BYTES} bytes` };
  }
  const type = entity['type'];
  const action = entity['action'];
  if (typeof type !== 'string' || !(type in ACTIONS))
    return { field: 'type', message: 'type must be person or object' };
  if (typeof action !== 'string' || !ACTIONS[type]?.includes(action)) {
    return { field: 'action', message: `action ${JSON.stringify(action)} is not valid for type ${type}` };
  }
  if (action === 'merge') {
    if ('identifiers' in entity) return { field: 'identifiers', message: 'merge takes primary and secondary only' };
    return personProblem(entity['primary'], 'primary', false) ?? personProblem(entity['secondary'], 'secondary', false);
  }
  const identifiers =
    type === 'object'
      ? objectProblem(entity['identifiers'], 'identifiers')
      : personProblem(entity['identifiers'], 'identifiers', ANONYMOUS_OK.includes(action));
  if (identifiers) return identifiers;
  const timestamp = timestampProblem(entity['timestamp'], 'timestamp');
  if (timestamp) return timestamp;

  if (action === 'event' || action === 'page' || action === 'screen') {
    const name = entity['name'];
    if (typeof name !== 'string' || name.trim() === '')
      return { field: 'name', message: 'event name must not be blank' };
    if (action === 'event' && bytes(name) > MAX_EVENT_NAME_BYTES) {
      return { field: 'name', message: `event name cannot be longer than ${MAX_EVENT_NAME_BYTES} bytes` };
    }
    const data = entity['attributes'];
    if (data !== undefined && !isPlainObject(data))
      return { field: 'attributes', message: 'event data must be a hash' };
    if (data !== undefined && bytes(data) > MAX_EVENT_DATA_BYTES) {
      return { field: 'attributes', message: `event data cannot be longer than ${MAX_EVENT_DATA_BYTES} bytes` };
    }
    if (entity['id'] !== undefined && (typeof entity['id'] !== 'string' || entity['id'] === '')) {
      return { field: 'id', message: 'id must be a non-empty string' };
    }
    return undefined;
  }
  if (action === 'identify' || action === 'identify_anonymous') {
    const attributes = attributesProblem(entity['attributes']);
    if (attributes) return attributes;
    return relationshipsProblem(entity['cio_relationships'], type === 'object');
  }
  if (action === 'add_device' || action === 'delete_device') return deviceProblem(entity['device'], action);
  if (action === 'add_relationships' || action === 'delete_relationships') {
    return relationshipsProblem(entity['cio_relationships'], type === 'object', true);
  }
  return undefined;
}

function identifierValueProblem(value: unknown, field: string): EntityProblem | undefined {
  if (value === undefined) return { field, message: 'id attribute must be present' };
  if (typeof value !== 'string') return { field, message: 'must be a string value' };
  if (value === '') return { field, message: 'cannot be an empty string' };
  if (bytes(value) > MAX_IDENTIFIER_BYTES) {
    return { field, message: `cannot be longer than ${MAX_IDENTIFIER_BYTES} bytes` };
  }
  return undefined;
}

function personProblem(value: unknown, field: string, anonymousOk: boolean): EntityProblem | undefined {
  if (!isPlainObject(value)) return { field, message: 'id attribute must be present' };
  const allowed = anonymousOk ? [...PERSON_KEYS, 'anonymous_id'] : PERSON_KEYS;
  const keys = Object.keys(value);
  const used = keys.filter((key) => allowed.includes(key));
  if (used.length === 0) return { field, message: `one of ${allowed.join(', ')} must be present` };
  if (keys.length !== 1) return { field, message: 'exactly one identifier is allowed' };
  return identifierValueProblem(value[used[0] as string], `${field}.${used[0]}`);
}

function objectProblem(value: unknown, field: string): EntityProblem | undefined {
  if (!isPlainObject(value)) return { field, message: 'object_type_id and object_id must be present' };
  return (
    identifierValueProblem(value['object_type_id'], `${field}.object_type_id`) ??
    identifierValueProblem(value['object_id'], `${field}.object_id`)
  );
}

function timestampProblem(value: unknown, field: string): EntityProblem | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    return { field, message: 'timestamp must be a unix timestamp in seconds' };
  }
  if (value >= MAX_UNIX_SECONDS) return { field, message: 'timestamp must be in seconds, not milliseconds' };
  return undefined;
}

export function attributesProblem(value: unknown): EntityProblem | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) return { field: 'attributes', message: 'attributes must be a hash' };
  const entries = Object.entries(value);
  if (entries.length > MAX_ATTRIBUTES) {
    return { field: 'attributes', message: `cannot identify more than ${MAX_ATTRIBUTES} attributes in one request` };
  }
  for (const [name, attribute] of entries) {
    if (bytes(name) > MAX_ATTRIBUTE_NAME_BYTES) {
      return { field: 'attributes', message: `attribute name cannot be longer than ${MAX_ATTRIBUTE_NAME_BYTES} bytes` };
    }
    if (attribute !== null && bytes(attribute) > MAX_ATTRIBUTE_VALUE_BYTES) {
      return {
        field: `attributes.${name}`,
        message: `value for attribute '${name}' cannot be longer than ${MAX_ATTRIBUTE_VALUE_BYTES} bytes`,
      };
    }
  }
  return undefined;
}

function relationshipsProblem(value: unknown, ofObject: boolean, required = false): EntityProblem | undefined {
  if (value === undefined) return required ? { field: 'cio_relationships', message: 'must be present' } : undefined;
  if (!Array.isArray(value)) return { field: 'cio_relationships', message: 'must be an array' };
  for (const [i, relationship] of value.entries()) {
    const field = `cio_relationships[${i}]`;
    if (!isPlainObject(relationship)) return { field, message: 'must be an object' };
    const identifiers = ofObject
      ? personProblem(relationship['identifiers'], `${field}.identifiers`, true)
      : objectProblem(relationship['identifiers'], `${field}.identifiers`);
    if (identifiers) return identifiers;
    const attributes = relationship['relationship_attributes'];
    if (attributes !== undefined && !isPlainObject(attributes)) {
      return { field: `${field}.relationship_attributes`, message: 'must be a hash' };
    }
  }
  return undefined;
}

function deviceProblem(value: unknown, action: string): EntityProblem | undefined {
  if (!isPlainObject(value)) return { field: 'device', message: 'device must be present' };
  if (typeof value['token'] !== 'string' || value['token'] === '') {
    return { field: 'device.token', message: 'device token must be present' };
  }
  if (action === 'add_device') {
    if (value['platform'] !== 'ios' && value['platform'] !== 'android') {
      return { field: 'device.platform', message: 'platform must be ios or android' };
    }
    const attributes = value['attributes'];
    if (attributes !== undefined && !isPlainObject(attributes)) {
      return { field: 'device.attributes', message: 'device attributes must be a hash' };
    }
    return timestampProblem(value['last_used'], 'device.last_used');
  }
  return undefined;
}
