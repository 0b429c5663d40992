import { hasDottedPath, isPlainObject } from '@manifold/json';

// What Keen refuses in a collection name or an event (libs/destinations/src/keen/README.md#the-api),
// as the error name and description it answers with.

export interface KeenError {
  name: string;
  description: string;
}

const MAX_COLLECTION_CHARS = 64;
const MAX_PROPERTY_CHARS = 256;
const MAX_TOKEN_CHARS = 64;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const KEEN_KEYS = new Set(['timestamp', 'addons', 'location', 'uniqueness_token']);
export const ADDON_INPUTS: Record<string, string[]> = {
  'keen:ip_to_geo': ['ip'],
  'keen:ua_parser': ['ua_string'],
  'keen:url_parser': ['url'],
  'keen:referrer_parser': ['referrer_url', 'page_url'],
  'keen:date_time_parser': ['date_time'],
};

export function collectionProblem(name: string): KeenError | undefined {
  const bad =
    name === '' ||
    name.length > MAX_COLLECTION_CHARS ||
    /[^\x20-\x7e]/.test(name) ||
    name.includes('$') ||
    name.startsWith('_') ||
    name.startsWith('.') ||
    name.endsWith('.');
  return bad
    ? {
        name: 'InvalidCollectionNameError',
        description: `Collection names must be 1 to 64 printable ASCII characters, without $, not starting with _ or ., not ending with .: ${name.slice(0, 80)}`,
      }
    : undefined;
}

/** Problems with property names at any depth (arrays walked). */
function namesProblem(value: unknown, path: string): KeenError | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = namesProblem(item, path);
      if (problem) return problem;
    }
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (key === '' || key.length >= MAX_PROPERTY_CHARS || key.includes('.') || key.startsWith('$')) {
      return {
        name: 'InvalidPropertyNameError',
        description: `Property names must be 1 to 255 characters, without "." and not starting with "$": ${path}${key.slice(0, 80)}`,
      };
    }
    const problem = namesProblem(child, `${path}${key}.`);
    if (problem) return problem;
  }
  return undefined;
}

function keenProblem(event: Record<string, unknown>): KeenError | undefined {
  const keen = event['keen'];
  if (keen === undefined) return undefined;
  if (!isPlainObject(keen)) return { name: 'NamespaceTypeError', description: 'The keen property must be an object' };
  const namespace = (description: string) => ({ name: 'InvalidKeenNamespaceProperty', description });
  for (const key of Object.keys(keen)) if (!KEEN_KEYS.has(key)) return namespace(`keen.${key} cannot be set`);
  const timestamp = keen['timestamp'];
  if (
    timestamp !== undefined &&
    (typeof timestamp !== 'string' || !ISO_8601.test(timestamp) || Number.isNaN(Date.parse(timestamp)))
  ) {
    return namespace('keen.timestamp must be an ISO-8601 date-time');
  }
  const token = keen['uniqueness_token'];
  if (token !== undefined && (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS)) {
    return namespace(`keen.uniqueness_token must be a string of at most ${MAX_TOKEN_CHARS} characters`);
  }
  const addons = keen['addons'];
  if (addons === undefined) return undefined;
  if (!Array.isArray(addons)) return namespace('keen.addons must be a list');
  for (const addon of addons) {
    if (!isPlainObject(addon) || typeof addon['name'] !== 'string' || !(addon['name'] in ADDON_INPUTS)) {
      return namespace(`unknown add-on ${JSON.stringify(isPlainObject(addon) ? addon['name'] : addon)}`);
    }
    const input = addon['input'];
    if (!isPlainObject(input) || typeof addon['output'] !== 'string' || addon['output'] === '') {
      return namespace(`add-on ${addon['name']} needs an input object and an output name`);
    }
    for (const param of ADDON_INPUTS[addon['name']] ?? []) {
      const source = input[param];
      if (typeof source !== 'string' || !hasDottedPath(event, source)) {
        return namespace(`add-on ${addon['name']}: input ${param} must name a property of the event`);
      }
    }
  }
  return undefined;
}

/** Why Keen refuses this event, if it does. */
export function eventProblem(event: unknown): KeenError | undefined {
  if (!isPlainObject(event)) return { name: 'InvalidEventError', description: 'An event must be a JSON object' };
  return namesProblem(event, '') ?? keenProblem(event);
}

/** Lists holding objects: stored, but Keen cannot analyse them (older API versions refused them). */
export function hasListOfObjects(value: unknown): boolean {
  if (Array.isArray(value))
    return value.some((item) => isPlainObject(item) || Array.isArray(item) || hasListOfObjects(item));
  return isPlainObject(value) && Object.values(value).some(hasListOfObjects);
}
