import { DropEventError, isPlainObject, type Notices } from '@manifold/destination-kit';
import { cutToLimit } from '../common/cut-text';

// The Measurement Protocol's naming and size rules (libs/destinations/src/ga4/README.md#the-api). /mp/collect
// accepts anything with a 2xx and silently ignores what breaks them, so the translator applies
// them itself: an event whose name GA4 refuses is dropped with the reason; a parameter GA4
// cannot take is flattened, cut or left out with a notice, and the rest of the event is sent.

export const NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;
const RESERVED_EVENTS = new Set([
  'ad_activeview',
  'ad_click',
  'ad_exposure',
  'ad_query',
  'ad_reward',
  'adunit_exposure',
  'app_clear_data',
  'app_exception',
  'app_install',
  'app_remove',
  'app_store_refund',
  'app_update',
  'app_upgrade',
  'dynamic_link_app_open',
  'dynamic_link_app_update',
  'dynamic_link_first_open',
  'error',
  'firebase_campaign',
  'firebase_in_app_message_action',
  'firebase_in_app_message_dismiss',
  'firebase_in_app_message_impression',
  'first_open',
  'first_visit',
  'notification_dismiss',
  'notification_foreground',
  'notification_open',
  'notification_receive',
  'notification_send',
  'os_update',
  'session_start',
  'user_engagement',
]);
/** Taken from app streams only: a web stream ignores them as it ignores the names above. */
const APP_STREAM_EVENTS = new Set(['ad_impression', 'in_app_purchase', 'screen_view']);
const RESERVED_PARAM_PREFIXES = ['_', 'firebase_', 'ga_', 'google_', 'gtag.'];
const LONG_PARAMS: Record<string, number> = { page_title: 300, page_referrer: 420, page_location: 1000 };
const MAX_PARAM_LENGTH = 100;
export const MAX_PARAMS = 25;
/** Custom (non-standard) params an item may carry. */
export const MAX_CUSTOM_ITEM_PARAMS = 10;

/** Segment's custom event naming: trimmed, whitespace runs to `_`, optionally lower-cased. */
export function customEventName(event: string, lowercase: boolean): string {
  const name = event.trim().replace(/\s+/g, '_');
  return lowercase ? name.toLowerCase() : name;
}

/** Throws DropEventError for an event name GA4 refuses on this kind of stream. */
export function checkEventName(name: string, stream: 'web' | 'app'): void {
  if (!NAME.test(name)) {
    throw new DropEventError(
      'INVALID_PAYLOAD',
      `GA4 event name "${name}" must start with a letter and have at most 40 letters, digits or underscores`,
    );
  }
  if (RESERVED_EVENTS.has(name) || (stream === 'web' && APP_STREAM_EVENTS.has(name))) {
    throw new DropEventError('INVALID_PAYLOAD', `GA4 event name "${name}" is reserved`);
  }
}

/**
 * GA4 ignores an event whose time (`timestamp_micros`, the request's or the event's own) is more
 * than 72 hours in the past when it arrives. `perform` reads no clock, so the age is taken from the
 * event itself: its time against when Manifold received it.
 */
const MAX_EVENT_AGE_MS = 72 * 3600 * 1000;

/** Throws DropEventError when the event happened more than 72 hours before Manifold received it. */
export function checkEventAge(timestamp: string, receivedAt: string | undefined): void {
  if (receivedAt === undefined) return;
  if (Date.parse(receivedAt) - Date.parse(timestamp) <= MAX_EVENT_AGE_MS) return;
  throw new DropEventError(
    'INVALID_PAYLOAD',
    `GA4 ignores events more than 72 hours old: timestamp ${timestamp} is more than 72 hours before the event was received (${receivedAt})`,
  );
}

/**
 * An event's own `timestamp_micros` param (from its properties) as GA4 takes it: a whole number
 * of microseconds (digits as text converted) not more than 72 hours before the event was received;
 * otherwise undefined with a notice, and the event goes with the request's time.
 */
export function eventTimeParam(
  value: unknown,
  receivedAt: string | undefined,
  field: string,
  notices: Notices,
): number | undefined {
  if (value === undefined || value === null) return undefined;
  let micros: number | undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) micros = value;
  else if (typeof value === 'string' && /^\d{1,16}$/.test(value)) {
    micros = Number(value);
    notices.converted(field, 'string', 'number');
  }
  if (micros === undefined) {
    notices.dropped(field, 'not a whole number of microseconds');
    return undefined;
  }
  if (receivedAt !== undefined && Date.parse(receivedAt) * 1000 - micros > MAX_EVENT_AGE_MS * 1000) {
    notices.dropped(
      field,
      'more than 72 hours before the event was received (is it in microseconds?): GA4 would ignore the event',
    );
    return undefined;
  }
  return micros;
}

/** Why GA4 refuses a param name, or undefined when it takes it. */
export function paramNameProblem(key: string): string | undefined {
  if (key === 'firebase_conversion' || RESERVED_PARAM_PREFIXES.some((p) => key.startsWith(p))) return 'reserved name';
  if (!NAME.test(key)) return 'invalid name (a letter, then up to 39 letters, digits or underscores)';
  return undefined;
}

/**
 * Params as GA4 takes them, from an object of any shape: null and undefined are absent; strings
 * longer than GA4 keeps are cut (as GA would); an object is flattened into `<key>_<child>` params;
 * a list, or a name GA4 refuses, is left out. Every change is recorded in `notices` under
 * `<where>.<key>`. A flattened param never replaces one the object already has.
 */
export function shapeParams(params: Record<string, unknown>, where: string, notices: Notices): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (key: string, value: unknown, field: string, flattened: boolean): void => {
    if (value === undefined || value === null) return;
    const problem = paramNameProblem(key);
    if (problem) {
      notices.dropped(field, problem);
      return;
    }
    if (flattened && (key in params || key in out)) {
      notices.dropped(field, `its flattened name ${key} is taken`);
      return;
    }
    const shaped = shapeValue(key, value, field);
    if (shaped !== undefined) out[key] = shaped;
  };
  const shapeValue = (key: string, value: unknown, field: string): unknown => {
    if (typeof value === 'string') {
      const max = LONG_PARAMS[key] ?? MAX_PARAM_LENGTH;
      if (value.length <= max) return value;
      notices.reshaped(field, `cut to ${max} characters`);
      return cutToLimit(value, max);
    }
    if (typeof value === 'number' || typeof value === 'boolean') return value;
    if (isPlainObject(value)) {
      notices.reshaped(field, 'object flattened into params');
      for (const [child, inner] of Object.entries(value)) put(`${key}_${child}`, inner, `${field}.${child}`, true);
      return undefined;
    }
    notices.dropped(field, Array.isArray(value) ? 'a list: GA4 params take no lists' : 'not a string or number');
    return undefined;
  };
  for (const [key, value] of Object.entries(params)) put(key, value, `${where}.${key}`, false);
  return out;
}

/**
 * At most `max` params: `required` ones all, then `optional` ones in their order until the limit;
 * the others are left out with a notice (`reason`).
 */
export function limitParams(
  required: Record<string, unknown>,
  optional: Record<string, unknown>,
  max: number,
  where: string,
  notices: Notices,
  reason = `more than ${max} params`,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let count = Object.keys(required).length;
  for (const [key, value] of Object.entries(optional)) {
    if (key in required) continue;
    if (count >= max) {
      notices.dropped(`${where}.${key}`, reason);
      continue;
    }
    out[key] = value;
    count += 1;
  }
  return { ...out, ...required };
}
