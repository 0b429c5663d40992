import { isPlainObject } from '@manifold/json';
import { CURRENCIES } from './braze-validation';

// Klaviyo JSON:API documents (libs/destinations/src/klaviyo/README.md#the-api): what each
// endpoint's `data` must hold. Each problem is one JSON:API error object.

export interface KlaviyoError {
  status: number;
  code: string;
  title: string;
  detail: string;
  source?: { pointer: string };
  meta?: Record<string, unknown>;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const MAX_PROPERTIES = 400;
const MAX_STRING_BYTES = 100 * 1024;
const YEAR_MS = 366 * 24 * 3600 * 1000;
const EARLIEST = Date.parse('1990-01-01T00:00:00Z');
const IDENTIFIERS = ['id', 'email', 'phone_number', 'external_id', 'anonymous_id', '_kx'];

export const invalid = (pointer: string, detail: string): KlaviyoError => ({
  status: 400,
  code: 'invalid',
  title: 'Invalid input.',
  detail,
  source: { pointer },
});

function profileAttributesProblem(attributes: unknown, pointer: string): KlaviyoError | undefined {
  if (!isPlainObject(attributes)) return invalid(pointer, 'attributes must be an object');
  if (!IDENTIFIERS.some((key) => typeof attributes[key] === 'string' && attributes[key] !== '')) {
    return invalid(pointer, 'One of email, phone_number, external_id, anonymous_id or id is required');
  }
  for (const key of [
    'email',
    'phone_number',
    'external_id',
    'anonymous_id',
    'first_name',
    'last_name',
    'organization',
    'title',
    'image',
    'locale',
  ]) {
    const value = attributes[key];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      return invalid(`${pointer}/${key}`, `${key} must be a string`);
    }
  }
  const email = attributes['email'];
  if (typeof email === 'string' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    return invalid(`${pointer}/email`, 'Invalid email address');
  }
  const phone = attributes['phone_number'];
  if (typeof phone === 'string' && !E164.test(phone)) {
    return invalid(`${pointer}/phone_number`, 'Invalid phone number format (Example of a valid format: +13239169023)');
  }
  if (typeof attributes['external_id'] === 'string' && attributes['external_id'].length > 255) {
    return invalid(`${pointer}/external_id`, 'external_id is longer than 255 characters');
  }
  const location = attributes['location'];
  if (location !== undefined && location !== null) {
    if (!isPlainObject(location)) return invalid(`${pointer}/location`, 'location must be an object');
    for (const key of ['latitude', 'longitude']) {
      const value = location[key];
      if (value !== undefined && value !== null && typeof value !== 'number' && typeof value !== 'string') {
        return invalid(`${pointer}/location/${key}`, `${key} must be a number`);
      }
    }
  }
  const properties = attributes['properties'];
  if (properties !== undefined && properties !== null && !isPlainObject(properties)) {
    return invalid(`${pointer}/properties`, 'properties must be an object');
  }
  return undefined;
}

/** `data` of POST /api/profile-import and /api/profiles. */
export function profileProblem(data: unknown): KlaviyoError | undefined {
  if (!isPlainObject(data) || data['type'] !== 'profile') return invalid('/data/type', "type must be 'profile'");
  return profileAttributesProblem(data['attributes'], '/data/attributes');
}

/** `data` of POST /api/events. */
export function eventProblem(data: unknown, nowMs: number): KlaviyoError | undefined {
  if (!isPlainObject(data) || data['type'] !== 'event') return invalid('/data/type', "type must be 'event'");
  const attributes = data['attributes'];
  if (!isPlainObject(attributes)) return invalid('/data/attributes', 'attributes must be an object');
  const properties = attributes['properties'];
  if (!isPlainObject(properties))
    return invalid('/data/attributes/properties', 'properties is required and must be an object');
  if (Object.keys(properties).length > MAX_PROPERTIES) {
    return invalid('/data/attributes/properties', `at most ${MAX_PROPERTIES} properties`);
  }
  for (const [key, value] of Object.entries(properties)) {
    if (typeof value === 'string' && Buffer.byteLength(value) > MAX_STRING_BYTES) {
      return invalid(`/data/attributes/properties/${key}`, 'strings are limited to 100 KB');
    }
  }
  const metric = attributes['metric'];
  const metricData = isPlainObject(metric) ? metric['data'] : undefined;
  const name =
    isPlainObject(metricData) && isPlainObject(metricData['attributes']) ? metricData['attributes']['name'] : undefined;
  if (!isPlainObject(metricData) || metricData['type'] !== 'metric' || typeof name !== 'string' || name === '') {
    return invalid('/data/attributes/metric', 'metric.data with type metric and attributes.name is required');
  }
  const profile = attributes['profile'];
  const profileData = isPlainObject(profile) ? profile['data'] : undefined;
  if (!isPlainObject(profileData) || profileData['type'] !== 'profile') {
    return invalid('/data/attributes/profile', 'profile.data with type profile is required');
  }
  const identity = profileAttributesProblem(profileData['attributes'], '/data/attributes/profile/data/attributes');
  if (identity) return identity;
  const time = attributes['time'];
  if (time !== undefined) {
    const ms = typeof time === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(time) ? Date.parse(time) : NaN;
    if (Number.isNaN(ms)) return invalid('/data/attributes/time', 'time must be an ISO 8601 date-time');
    if (ms < EARLIEST || ms > nowMs + YEAR_MS) {
      return invalid('/data/attributes/time', 'time must be after 1990 and at most a year ahead');
    }
  }
  const value = attributes['value'];
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
    return invalid('/data/attributes/value', 'value must be a number');
  }
  const currency = attributes['value_currency'];
  if (currency !== undefined && (typeof currency !== 'string' || !CURRENCIES.has(currency))) {
    return invalid('/data/attributes/value_currency', 'value_currency must be an ISO 4217 code');
  }
  const uniqueId = attributes['unique_id'];
  if (uniqueId !== undefined && typeof uniqueId !== 'string') {
    return invalid('/data/attributes/unique_id', 'unique_id must be a string');
  }
  return undefined;
}

/** `data` of POST /api/profile-subscription-bulk-create-jobs. */
export function subscriptionJobProblem(data: unknown, now = Date.now()): KlaviyoError | undefined {
  if (!isPlainObject(data) || data['type'] !== 'profile-subscription-bulk-create-job') {
    return invalid('/data/type', "type must be 'profile-subscription-bulk-create-job'");
  }
  const attributes = data['attributes'];
  const profiles =
    isPlainObject(attributes) && isPlainObject(attributes['profiles']) ? attributes['profiles']['data'] : undefined;
  if (!Array.isArray(profiles) || profiles.length === 0 || profiles.length > 1000) {
    return invalid('/data/attributes/profiles/data', 'between 1 and 1000 profiles');
  }
  const historical = isPlainObject(attributes) && attributes['historical_import'] === true;
  for (const [index, profile] of profiles.entries()) {
    const pointer = `/data/attributes/profiles/data/${index}/attributes`;
    const profileAttributes = isPlainObject(profile) ? profile['attributes'] : undefined;
    if (!isPlainObject(profile) || profile['type'] !== 'profile' || !isPlainObject(profileAttributes)) {
      return invalid(pointer, 'a profile with attributes');
    }
    const subscriptions = profileAttributes['subscriptions'];
    if (!isPlainObject(subscriptions)) return invalid(`${pointer}/subscriptions`, 'subscriptions is required');
    for (const [channel, identifier] of [
      ['email', 'email'],
      ['sms', 'phone_number'],
    ] as const) {
      const subscription = subscriptions[channel];
      if (subscription === undefined) continue;
      const marketing = isPlainObject(subscription) ? subscription['marketing'] : undefined;
      if (!isPlainObject(marketing) || marketing['consent'] !== 'SUBSCRIBED') {
        return invalid(`${pointer}/subscriptions/${channel}`, "marketing.consent must be 'SUBSCRIBED'");
      }
      // A consent date belongs to historical imports only, and those need one in the past.
      const consentedAt = marketing['consented_at'];
      if (historical !== (consentedAt !== undefined)) {
        return invalid(
          `${pointer}/subscriptions/${channel}/marketing/consented_at`,
          'consented_at is required with historical_import, and allowed only with it',
        );
      }
      if (historical && !(Date.parse(String(consentedAt)) <= now)) {
        return invalid(
          `${pointer}/subscriptions/${channel}/marketing/consented_at`,
          'consented_at must be in the past',
        );
      }
      if (typeof profileAttributes[identifier] !== 'string') {
        return invalid(`${pointer}/${identifier}`, `${identifier} is required to subscribe to ${channel}`);
      }
    }
    const identity = profileAttributesProblem(profileAttributes, pointer);
    if (identity) return identity;
  }
  const relationships = data['relationships'];
  if (relationships !== undefined) {
    const list =
      isPlainObject(relationships) && isPlainObject(relationships['list']) ? relationships['list']['data'] : undefined;
    if (!isPlainObject(list) || list['type'] !== 'list' || typeof list['id'] !== 'string') {
      return invalid('/data/relationships/list', 'list.data with type list and an id');
    }
  }
  return undefined;
}
