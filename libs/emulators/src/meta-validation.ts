import { isPlainObject } from '@manifold/json';
import { CURRENCIES } from './braze-validation';

// Meta Conversions API server-event rules (libs/destinations/src/meta/README.md#the-api). One
// invalid event fails the whole request; the first problem found is reported in a Graph error.

export const ACTION_SOURCES = [
  'email',
  'website',
  'app',
  'phone_call',
  'chat',
  'physical_store',
  'system_generated',
  'business_messaging',
  'other',
];
/** Customer information keys Meta wants as SHA-256 hex (a string or a list of them). */
export const HASHED_KEYS = ['em', 'ph', 'fn', 'ln', 'ge', 'db', 'ct', 'st', 'zp', 'country'];
/** Keys Meta wants as they are: a hash there is a mistake (it cannot match anything). */
export const RAW_KEYS = [
  'client_ip_address',
  'client_user_agent',
  'fbc',
  'fbp',
  'subscription_id',
  'lead_id',
  'anon_id',
];
const SHA256 = /^[0-9a-f]{64}$/;
const SEVEN_DAYS_S = 7 * 24 * 3600;
const EXTINFO_LENGTH = 16;

/** What is wrong with one event: Graph's subcode when it has a documented one, and the text. */
export interface EventProblem {
  subcode?: number;
  title: string;
  message: string;
}

const problem = (title: string, message: string, subcode?: number): EventProblem => ({
  title,
  message,
  ...(subcode !== undefined ? { subcode } : {}),
});

/** `event_time` in seconds: an integer, or an ISO-8601 string (which Graph tolerates); ms refused. */
export function eventTimeSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value < 1e11 ? value : undefined;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value))) {
    return Math.floor(Date.parse(value) / 1000);
  }
  return undefined;
}

function hashedValueProblem(key: string, value: unknown): EventProblem | undefined {
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0) return problem('Invalid user data', `user_data.${key} is an empty list`);
  for (const v of values) {
    if (typeof v !== 'string' || !SHA256.test(v)) {
      return problem(
        'Invalid user data',
        `user_data.${key} must be hashed: a SHA-256 hex digest (64 lowercase hex characters)`,
      );
    }
  }
  return undefined;
}

function userDataProblem(userData: unknown): EventProblem | undefined {
  if (!isPlainObject(userData) || Object.keys(userData).length === 0) {
    return problem('Missing user data', 'user_data with at least one customer information parameter is required');
  }
  for (const key of HASHED_KEYS) {
    if (userData[key] !== undefined) {
      const found = hashedValueProblem(key, userData[key]);
      if (found) return found;
    }
  }
  const external = userData['external_id'];
  if (external !== undefined) {
    const ids = Array.isArray(external) ? external : [external];
    if (ids.some((id) => typeof id !== 'string' || id === '')) {
      return problem('Invalid user data', 'user_data.external_id must be a string or a list of strings');
    }
  }
  for (const key of RAW_KEYS) {
    const value = userData[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' && typeof value !== 'number') {
      return problem('Invalid user data', `user_data.${key} must be a string`);
    }
    if (typeof value === 'string' && SHA256.test(value)) {
      return problem('Invalid user data', `user_data.${key} must not be hashed`);
    }
  }
  return undefined;
}

function appDataProblem(appData: unknown): EventProblem | undefined {
  if (!isPlainObject(appData)) return problem('Missing app data', 'app_data is required for action_source app');
  for (const flag of ['advertiser_tracking_enabled', 'application_tracking_enabled']) {
    if (appData[flag] !== undefined && typeof appData[flag] !== 'boolean') {
      return problem('Invalid app data', `app_data.${flag} must be a boolean`);
    }
  }
  const extinfo = appData['extinfo'];
  if (
    !Array.isArray(extinfo) ||
    extinfo.length !== EXTINFO_LENGTH ||
    extinfo.some((slot) => typeof slot !== 'string') ||
    !['a2', 'i2'].includes(extinfo[0] as string) ||
    extinfo[4] === ''
  ) {
    return problem('Invalid app data', 'app_data.extinfo must be 16 strings: a2 or i2 first, the OS version fifth');
  }
  return undefined;
}

function customDataProblem(eventName: string, customData: unknown): EventProblem | undefined {
  if (customData === undefined) {
    return eventName === 'Purchase' ? problem('Missing value', 'Purchase events need custom_data.value') : undefined;
  }
  if (!isPlainObject(customData)) return problem('Invalid custom data', 'custom_data must be an object');
  const { value, currency, contents, content_ids: contentIds, num_items: numItems } = customData;
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
    return problem('Invalid value', 'custom_data.value must be a number');
  }
  if (currency !== undefined && (typeof currency !== 'string' || !CURRENCIES.has(currency.toUpperCase()))) {
    return problem('Invalid currency', 'custom_data.currency must be an ISO 4217 code');
  }
  if (eventName === 'Purchase' && (value === undefined || currency === undefined)) {
    return problem('Missing value or currency', 'Purchase events need custom_data.value and custom_data.currency');
  }
  if (contents !== undefined) {
    if (!Array.isArray(contents)) return problem('Invalid contents', 'custom_data.contents must be a list');
    for (const content of contents) {
      if (!isPlainObject(content) || (typeof content['id'] !== 'string' && typeof content['id'] !== 'number')) {
        return problem('Invalid contents', 'every custom_data.contents item needs an id');
      }
      const quantity = content['quantity'];
      if (quantity !== undefined && (typeof quantity !== 'number' || !Number.isInteger(quantity))) {
        return problem('Invalid contents', 'custom_data.contents[].quantity must be an integer');
      }
      const price = content['item_price'];
      if (price !== undefined && typeof price !== 'number') {
        return problem('Invalid contents', 'custom_data.contents[].item_price must be a number');
      }
    }
  }
  if (contentIds !== undefined && (!Array.isArray(contentIds) || contentIds.some((id) => typeof id !== 'string'))) {
    return problem('Invalid content ids', 'custom_data.content_ids must be a list of strings');
  }
  if (numItems !== undefined && (typeof numItems !== 'number' || !Number.isInteger(numItems))) {
    return problem('Invalid num_items', 'custom_data.num_items must be an integer');
  }
  return undefined;
}

/** The first problem of one server event, or undefined when Meta takes it. */
export function serverEventProblem(event: unknown, nowMs: number): EventProblem | undefined {
  if (!isPlainObject(event)) return problem('Invalid event', 'each element of data must be an object');
  const name = event['event_name'];
  if (typeof name !== 'string' || name === '') return problem('Missing event name', 'event_name is required');
  const time = eventTimeSeconds(event['event_time']);
  if (time === undefined) {
    return problem('Invalid event time', 'event_time must be a Unix timestamp in seconds');
  }
  if (time < nowMs / 1000 - SEVEN_DAYS_S) {
    return problem(
      'Event Timestamp Too Old',
      'The timestamp for this event is too far in the past. Events need to be sent from your server within 7 days of when they occurred.',
      2804003,
    );
  }
  const source = event['action_source'];
  if (typeof source !== 'string' || !ACTION_SOURCES.includes(source)) {
    return problem('Invalid action source', `action_source must be one of ${ACTION_SOURCES.join(', ')}`);
  }
  if (event['event_id'] !== undefined && typeof event['event_id'] !== 'string') {
    return problem('Invalid event id', 'event_id must be a string');
  }
  const userData = userDataProblem(event['user_data']);
  if (userData) return userData;
  const user = event['user_data'] as Record<string, unknown>;
  if (source === 'website') {
    if (typeof event['event_source_url'] !== 'string' || event['event_source_url'] === '') {
      return problem('Missing event source URL', 'event_source_url is required for website events');
    }
    if (typeof user['client_user_agent'] !== 'string' || user['client_user_agent'] === '') {
      return problem('Missing user agent', 'user_data.client_user_agent is required for website events');
    }
  }
  if (source === 'app') {
    const app = appDataProblem(event['app_data']);
    if (app) return app;
  }
  const options = event['data_processing_options'];
  if (options !== undefined && (!Array.isArray(options) || options.some((o) => o !== 'LDU'))) {
    return problem('Invalid data processing options', 'data_processing_options must be [] or ["LDU"]');
  }
  return customDataProblem(name, event['custom_data']);
}
