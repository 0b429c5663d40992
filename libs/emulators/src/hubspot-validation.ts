import { isPlainObject } from '@manifold/json';

// HubSpot's rules for CRM batch-upsert inputs and custom behavioural event occurrences, written
// from HubSpot's API reference (independently of the destination that sends to it).

export const MAX_BATCH_INPUTS = 100;
/** Occurrences per `/events/v3/send/batch` request. */
export const MAX_EVENT_BATCH_INPUTS = 500;
export const MAX_EVENT_PROPERTIES = 50;
export const MAX_EVENT_PROPERTY_NAME = 50;
/** Custom event property values: 50 characters, 200 for URLs (HubSpot's 2021 limits). */
export const MAX_EVENT_VALUE = 50;
export const MAX_EVENT_URL_VALUE = 200;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const EVENT_NAME = /^pe(\d+)_[a-z0-9_]+$/;
const PROPERTY_NAME = /^[a-z][a-z0-9_]*$/;

/** A problem with one batch input, as HubSpot lists it in a 207's `errors`. */
export interface InputProblem {
  message: string;
  id: string;
}

/** Problems of one upsert input (its id, idProperty and property values). */
export function upsertInputProblem(
  input: unknown,
  uniqueProperties: readonly string[],
  object: 'contacts' | 'companies',
): string | undefined {
  if (!isPlainObject(input)) return 'Each input must be an object';
  const { idProperty, id, properties } = input;
  if (typeof id !== 'string' || id === '') return 'Each input needs a non-empty string id';
  if (typeof idProperty !== 'string') return 'Each upsert input needs an idProperty';
  if (!uniqueProperties.includes(idProperty)) {
    return `Property "${idProperty}" is not a unique identifier property of ${object}`;
  }
  if (idProperty === 'email' && !EMAIL.test(id)) return `Email address ${id} is invalid`;
  if (properties !== undefined && !isPlainObject(properties)) return 'properties must be an object';
  for (const [name, value] of Object.entries(properties ?? {})) {
    if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
      return `Property values were not valid: ${name} must be a string, number or boolean`;
    }
  }
  return undefined;
}

/** The problem of an event occurrence (`/events/v3/send`), or undefined when HubSpot takes it. */
export function eventProblem(
  body: unknown,
  portalId: string,
  definedEvents: readonly string[] | undefined,
): string | undefined {
  if (!isPlainObject(body)) return 'Invalid input JSON: expected an object';
  const { eventName, occurredAt, email, utk, objectId, properties, uuid } = body;
  if (typeof eventName !== 'string') return 'eventName is required';
  const match = EVENT_NAME.exec(eventName);
  if (!match) return `eventName ${eventName} must be the fully qualified name pe<portalId>_<name>`;
  if (match[1] !== portalId) return `eventName ${eventName} belongs to another account`;
  if (definedEvents && !definedEvents.includes(eventName)) return `Event definition not found for ${eventName}`;
  if (email === undefined && utk === undefined && objectId === undefined) {
    return 'One of email, utk or objectId is required to identify the contact';
  }
  if (email !== undefined && (typeof email !== 'string' || !EMAIL.test(email))) return 'email is invalid';
  if (utk !== undefined && typeof utk !== 'string') return 'utk must be a string';
  if (objectId !== undefined && !/^\d+$/.test(String(objectId))) return 'objectId must be a record id';
  if (occurredAt !== undefined && (typeof occurredAt !== 'string' || Number.isNaN(Date.parse(occurredAt)))) {
    return 'occurredAt must be an ISO-8601 timestamp';
  }
  if (uuid !== undefined && typeof uuid !== 'string') return 'uuid must be a string';
  if (properties === undefined) return undefined;
  if (!isPlainObject(properties)) return 'properties must be an object';
  const entries = Object.entries(properties);
  if (entries.length > MAX_EVENT_PROPERTIES) return `At most ${MAX_EVENT_PROPERTIES} properties per occurrence`;
  for (const [name, value] of entries) {
    if (name.length > MAX_EVENT_PROPERTY_NAME || !PROPERTY_NAME.test(name)) {
      return `Property name ${name} must be at most 50 lower-case letters, digits or _ and start with a letter`;
    }
    if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
      return `Property ${name} must be a string, number or boolean`;
    }
    if (typeof value === 'string' && value.length > valueLimit(value)) {
      return `Property ${name} is longer than ${valueLimit(value)} characters`;
    }
  }
  return undefined;
}

function valueLimit(value: string): number {
  return /^https?:\/\//i.test(value) ? MAX_EVENT_URL_VALUE : MAX_EVENT_VALUE;
}
