import { createHash } from 'node:crypto';
import { hasDottedPath, isPlainObject, type Notices } from '@manifold/destination-kit';
import type { KeenSettings } from './settings';

// The `keen` object of an event: the event time, a uniqueness token (Keen keeps the first event
// with a token per collection for 31 days, so a retried batch records nothing twice), and the
// add-ons the settings turn on. A `keen` object the user sent in the properties is kept — its
// own timestamp, token, location and add-ons win — minus what Keen refuses there.

const MAX_TOKEN_CHARS = 64;
const USER_KEYS = new Set(['timestamp', 'uniqueness_token', 'location', 'addons']);
/** Keen reads `keen.timestamp` as ISO-8601 only (a zone-less time is UTC); other forms refuse the event. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
/** Keen's add-ons and the input parameters each needs, every one naming a property of the event. */
const ADDON_INPUTS: Record<string, string[]> = {
  'keen:ip_to_geo': ['ip'],
  'keen:ua_parser': ['ua_string'],
  'keen:url_parser': ['url'],
  'keen:referrer_parser': ['referrer_url', 'page_url'],
  'keen:date_time_parser': ['date_time'],
};

/** The messageId when it fits Keen's 64 characters, else its SHA-256 (64 hex digits), stable across retries. */
export function uniquenessToken(messageId: string): string {
  return messageId.length <= MAX_TOKEN_CHARS ? messageId : createHash('sha256').update(messageId).digest('hex');
}

interface Addon {
  name: string;
  input: Record<string, string>;
  output: string;
}

/** The add-ons turned on whose input properties the event has. */
export function addons(event: Record<string, unknown>, settings: KeenSettings): Addon[] {
  const has = (name: string) => typeof event[name] === 'string';
  const out: Addon[] = [];
  if (settings.ipAddon && has('ip_address'))
    out.push({ name: 'keen:ip_to_geo', input: { ip: 'ip_address' }, output: 'ip_geo_info' });
  if (settings.uaAddon && has('user_agent'))
    out.push({ name: 'keen:ua_parser', input: { ua_string: 'user_agent' }, output: 'parsed_user_agent' });
  if (settings.urlAddon && has('page_url'))
    out.push({ name: 'keen:url_parser', input: { url: 'page_url' }, output: 'parsed_page_url' });
  if (settings.referrerAddon && has('referrer_url') && has('page_url')) {
    out.push({
      name: 'keen:referrer_parser',
      input: { referrer_url: 'referrer_url', page_url: 'page_url' },
      output: 'referrer_info',
    });
  }
  return out;
}

/** The user's add-ons Keen takes (a known name, an output, inputs naming properties of the event); the others left out. */
function usersAddons(addons: unknown[], event: Record<string, unknown>, notices: Notices): unknown[] {
  return addons.filter((addon, i) => {
    const field = `properties.keen.addons[${i}]`;
    const inputs = isPlainObject(addon) && typeof addon['name'] === 'string' ? ADDON_INPUTS[addon['name']] : undefined;
    if (!isPlainObject(addon) || !inputs) {
      notices.dropped(field, 'not an add-on Keen knows');
      return false;
    }
    const input = addon['input'];
    if (!isPlainObject(input) || typeof addon['output'] !== 'string' || addon['output'] === '') {
      notices.dropped(field, 'an add-on needs an input object and an output name');
      return false;
    }
    if (!inputs.every((param) => typeof input[param] === 'string' && hasDottedPath(event, input[param]))) {
      notices.dropped(field, 'an input of the add-on names no property of the event');
      return false;
    }
    return true;
  });
}

/** The user's own `keen` object, without what Keen would refuse in it. */
function usersKeen(value: unknown, event: Record<string, unknown>, notices: Notices): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) {
    notices.dropped('properties.keen', 'not an object (Keen reserves the name for its own settings)');
    return {};
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const field = `properties.keen.${key}`;
    if (!USER_KEYS.has(key)) notices.dropped(field, 'set by Keen itself');
    else if (key === 'timestamp' && (typeof v !== 'string' || !ISO_8601.test(v) || Number.isNaN(Date.parse(v))))
      notices.dropped(field, 'not an ISO-8601 date-time');
    else if (key === 'uniqueness_token' && (typeof v !== 'string' || v.length > MAX_TOKEN_CHARS))
      notices.dropped(field, `not text of at most ${MAX_TOKEN_CHARS} characters`);
    else if (key === 'addons' && !Array.isArray(v)) notices.dropped(field, 'not a list');
    else if (key === 'addons') out[key] = usersAddons(v as unknown[], event, notices);
    else out[key] = v;
  }
  return out;
}

export function keenNamespace(
  event: Record<string, unknown>,
  userKeen: unknown,
  timestamp: string,
  messageId: string,
  settings: KeenSettings,
  notices: Notices,
): Record<string, unknown> {
  const own = usersKeen(userKeen, event, notices);
  return {
    ...own,
    timestamp: own['timestamp'] ?? new Date(Date.parse(timestamp)).toISOString(),
    uniqueness_token: own['uniqueness_token'] ?? uniquenessToken(messageId),
    addons: [...((own['addons'] as unknown[] | undefined) ?? []), ...addons(event, settings)],
  };
}
