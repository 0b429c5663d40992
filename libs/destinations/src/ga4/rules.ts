import { DropEventError } from '@manifold/destination-kit';

// The Measurement Protocol's naming and size rules (destination-apis.md §4.3). /mp/collect
// accepts anything with a 2xx and silently drops what breaks them, so the translator checks
// them and drops with a reason instead.

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;
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
const RESERVED_PARAM_PREFIXES = ['_', 'firebase_', 'ga_', 'google_', 'gtag.'];
const LONG_PARAMS: Record<string, number> = { page_title: 300, page_referrer: 420, page_location: 1000 };
export const MAX_PARAMS = 25;

/** Segment's custom event naming: trimmed, whitespace runs to `_`, optionally lower-cased. */
export function customEventName(event: string, lowercase: boolean): string {
  const name = event.trim().replace(/\s+/g, '_');
  return lowercase ? name.toLowerCase() : name;
}

export function checkEventName(name: string): void {
  if (!NAME.test(name)) {
    throw new DropEventError(
      'INVALID_PAYLOAD',
      `GA4 event name "${name}" must start with a letter and have at most 40 letters, digits or underscores`,
    );
  }
  if (RESERVED_EVENTS.has(name)) throw new DropEventError('INVALID_PAYLOAD', `GA4 event name "${name}" is reserved`);
}

/**
 * Params as GA4 takes them: null/undefined left out, values of at most 100 characters (longer
 * page params allowed; longer strings truncated, as GA would). Lists and objects are refused
 * (GA4 has no nested params; Segment refuses them too) with the name of the offending param.
 */
export function checkParams(params: Record<string, unknown>, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    if (!NAME.test(key) || key === 'firebase_conversion' || RESERVED_PARAM_PREFIXES.some((p) => key.startsWith(p))) {
      throw new DropEventError('INVALID_PAYLOAD', `GA4 ${where} param name "${key}" is invalid or reserved`);
    }
    if (typeof value === 'string') out[key] = value.slice(0, LONG_PARAMS[key] ?? 100);
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = value;
    else {
      throw new DropEventError(
        'INVALID_PAYLOAD',
        `GA4 ${where} param "${key}" is ${Array.isArray(value) ? 'a list' : 'an object'}: GA4 takes only strings, numbers and booleans`,
      );
    }
  }
  return out;
}
