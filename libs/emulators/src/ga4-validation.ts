import { isPlainObject } from '@manifold/json';

// The Measurement Protocol's rules (libs/destinations/src/ga4/README.md#the-api), reported the way
// /debug/mp/collect reports them.

export type Ga4ValidationCode =
  | 'VALUE_INVALID'
  | 'VALUE_REQUIRED'
  | 'NAME_INVALID'
  | 'NAME_RESERVED'
  | 'VALUE_OUT_OF_BOUNDS'
  | 'EXCEEDED_MAX_ENTITIES'
  | 'NAME_DUPLICATED';

export interface Ga4ValidationMessage {
  fieldPath: string;
  description: string;
  validationCode: Ga4ValidationCode;
}

export type Ga4Stream = 'web' | 'app';

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;
/**
 * The event names Google reserves, as its Measurement Protocol reference lists them ("Reserved
 * names", https://developers.google.com/analytics/devguides/collection/protocol/ga4/reference).
 * Written here from that page on purpose, not shared with the GA4 destination's rules: the
 * emulator is the independent check those rules are tested against, so a name one of them misses
 * fails a test instead of passing on both sides.
 */
const RESERVED_EVENTS = new Set(
  `ad_activeview ad_click ad_exposure ad_query ad_reward adunit_exposure
   app_clear_data app_exception app_install app_remove app_store_refund app_update app_upgrade
   dynamic_link_app_open dynamic_link_app_update dynamic_link_first_open error firebase_campaign
   firebase_in_app_message_action firebase_in_app_message_dismiss firebase_in_app_message_impression
   first_open first_visit notification_dismiss notification_foreground notification_open
   notification_receive notification_send os_update session_start user_engagement`.split(/\s+/),
);
/** Reserved on web streams; app streams may send them. */
const APP_ONLY_EVENTS = new Set(['ad_impression', 'in_app_purchase', 'screen_view']);

/** Every event name GA4 refuses on a stream of this kind (for tests of what is sent to it). */
export function ga4ReservedEventNames(stream: Ga4Stream): string[] {
  return [...RESERVED_EVENTS, ...(stream === 'web' ? APP_ONLY_EVENTS : [])];
}

const RESERVED_PARAM_PREFIXES = ['_', 'firebase_', 'ga_', 'google_', 'gtag.'];
const RESERVED_USER_PROPERTIES = new Set([
  'first_open_time',
  'first_visit_time',
  'last_deep_link_referrer',
  'user_id',
  'first_open_after_install',
]);
const RESERVED_USER_PROPERTY_PREFIXES = ['_', 'firebase_', 'ga_', 'google_'];
const LONG_PARAMS: Record<string, number> = { page_title: 300, page_referrer: 420, page_location: 1000 };
// GA4 reports revenue from these only when they are numbers (a string price counts as no price).
const NUMERIC_ITEM_PARAMS = new Set(['price', 'quantity', 'discount', 'index']);
const TEXT_ITEM_PARAMS = new Set(['item_id', 'item_name', 'currency']);
const NUMERIC_EVENT_PARAMS = new Set(['value', 'tax', 'shipping']);
const MAX_AGE_MICROS = 72 * 3600 * 1_000_000;

/** Every rule a Measurement Protocol body breaks; empty when it is valid. */
export function validateGa4Body(body: unknown, stream: Ga4Stream, nowMs: number): Ga4ValidationMessage[] {
  const messages: Ga4ValidationMessage[] = [];
  const add = (fieldPath: string, validationCode: Ga4ValidationCode, description: string) =>
    messages.push({ fieldPath, validationCode, description });
  if (!isPlainObject(body)) {
    add('', 'VALUE_INVALID', 'Unable to parse Measurement Protocol JSON payload.');
    return messages;
  }
  if (stream === 'web') {
    if (typeof body['client_id'] !== 'string' || body['client_id'] === '') {
      add('client_id', 'VALUE_REQUIRED', 'Measurement requires a client_id.');
    }
  } else if (typeof body['app_instance_id'] !== 'string' || !/^[0-9a-f]{32}$/i.test(body['app_instance_id'])) {
    add('app_instance_id', 'VALUE_INVALID', 'Measurement requires an app_instance_id of 32 hexadecimal characters.');
  }
  if (body['user_id'] !== undefined && typeof body['user_id'] !== 'string') {
    add('user_id', 'VALUE_INVALID', 'user_id must be a string.');
  }
  checkTimestamp(body['timestamp_micros'], 'timestamp_micros', nowMs, add);

  const userProperties = body['user_properties'];
  if (userProperties !== undefined) {
    if (!isPlainObject(userProperties)) add('user_properties', 'VALUE_INVALID', 'user_properties must be an object.');
    else {
      const names = Object.keys(userProperties);
      if (names.length > 25) {
        add(
          'user_properties',
          'EXCEEDED_MAX_ENTITIES',
          `A request can have at most 25 user properties, got ${names.length}.`,
        );
      }
      for (const name of names) {
        const path = `user_properties.${name}`;
        if (name.length > 24 || !NAME.test(name)) add(path, 'NAME_INVALID', `User property name [${name}] is invalid.`);
        else if (
          RESERVED_USER_PROPERTIES.has(name) ||
          RESERVED_USER_PROPERTY_PREFIXES.some((p) => name.startsWith(p))
        ) {
          add(path, 'NAME_RESERVED', `User property name [${name}] is reserved.`);
        }
        const entry = userProperties[name];
        if (!isPlainObject(entry) || !('value' in entry)) {
          add(path, 'VALUE_INVALID', `User property [${name}] must be an object with a value.`);
          continue;
        }
        const value = entry['value'];
        if (value !== null && typeof value !== 'string' && typeof value !== 'number') {
          add(`${path}.value`, 'VALUE_INVALID', `User property [${name}] value must be a string or a number.`);
        } else if (typeof value === 'string' && value.length > 36) {
          add(`${path}.value`, 'VALUE_OUT_OF_BOUNDS', `User property [${name}] value exceeds 36 characters.`);
        }
      }
    }
  }

  const events = body['events'];
  if (!Array.isArray(events) || events.length === 0) {
    add('events', 'VALUE_REQUIRED', 'Measurement requires at least one event.');
    return messages;
  }
  if (events.length > 25)
    add('events', 'EXCEEDED_MAX_ENTITIES', `A request can have at most 25 events, got ${events.length}.`);
  events.forEach((event, index) => {
    const at = `events[${index}]`;
    if (!isPlainObject(event)) {
      add(at, 'VALUE_INVALID', `Event at index: [${index}] must be an object.`);
      return;
    }
    const name = event['name'];
    if (typeof name !== 'string' || name === '') {
      add(`${at}.name`, 'VALUE_REQUIRED', `Event at index: [${index}] requires a name.`);
    } else if (!NAME.test(name)) {
      add(
        'events',
        'NAME_INVALID',
        `Event at index: [${index}] has invalid name [${name}]. Names must start with an alphabetic character.`,
      );
    } else if (RESERVED_EVENTS.has(name) || (stream === 'web' && APP_ONLY_EVENTS.has(name))) {
      add('events', 'NAME_RESERVED', `Event at index: [${index}] has name [${name}] which is reserved.`);
    }
    const params = event['params'];
    if (params === undefined) return;
    if (!isPlainObject(params)) {
      add(`${at}.params`, 'VALUE_INVALID', `Event at index: [${index}] params must be an object.`);
      return;
    }
    const keys = Object.keys(params);
    if (keys.length > 25) {
      add(
        `${at}.params`,
        'EXCEEDED_MAX_ENTITIES',
        `Event at index: [${index}] can have at most 25 params, got ${keys.length}.`,
      );
    }
    for (const key of keys) {
      const path = `${at}.params.${key}`;
      checkParamName(key, path, add);
      const value = params[key];
      if (key === 'items') {
        checkItems(value, path, add);
      } else if (key === 'timestamp_micros') {
        checkTimestamp(value, path, nowMs, add);
      } else if (NUMERIC_EVENT_PARAMS.has(key) && typeof value !== 'number') {
        add(path, 'VALUE_INVALID', `Param [${key}] must be a number.`);
      } else if (key === 'currency' && (typeof value !== 'string' || !/^[A-Z]{3}$/.test(value))) {
        add(path, 'VALUE_INVALID', `Param [currency] must be an ISO 4217 code in capitals.`);
      } else {
        checkParamValue(key, value, LONG_PARAMS[key] ?? 100, path, add);
      }
    }
  });
  return messages;
}

type Add = (fieldPath: string, code: Ga4ValidationCode, description: string) => void;

function checkParamName(key: string, path: string, add: Add): void {
  if (!NAME.test(key)) add(path, 'NAME_INVALID', `Param name [${key}] is invalid.`);
  else if (key === 'firebase_conversion' || RESERVED_PARAM_PREFIXES.some((p) => key.startsWith(p))) {
    add(path, 'NAME_RESERVED', `Param name [${key}] is reserved.`);
  }
}

function checkParamValue(key: string, value: unknown, maxLength: number, path: string, add: Add): void {
  if (typeof value === 'string') {
    if (value.length > maxLength) {
      add(path, 'VALUE_OUT_OF_BOUNDS', `Param [${key}] value exceeds ${maxLength} characters.`);
    }
  } else if (typeof value !== 'number' && typeof value !== 'boolean') {
    add(path, 'VALUE_INVALID', `Param [${key}] has unsupported value type ${value === null ? 'null' : typeof value}.`);
  }
}

function checkItems(items: unknown, path: string, add: Add): void {
  if (!Array.isArray(items)) {
    add(path, 'VALUE_INVALID', 'items must be a list of objects.');
    return;
  }
  items.forEach((item, i) => {
    const at = `${path}[${i}]`;
    if (!isPlainObject(item)) {
      add(at, 'VALUE_INVALID', 'An item must be an object.');
      return;
    }
    if (item['item_id'] === undefined && item['item_name'] === undefined) {
      add(at, 'VALUE_REQUIRED', 'An item requires item_id or item_name.');
    }
    const standard = new Set([
      'item_id',
      'item_name',
      'affiliation',
      'coupon',
      'discount',
      'index',
      'item_brand',
      'item_category',
      'item_category2',
      'item_category3',
      'item_category4',
      'item_category5',
      'item_list_id',
      'item_list_name',
      'item_variant',
      'location_id',
      'price',
      'quantity',
      'currency',
      'promotion_id',
      'promotion_name',
      'creative_name',
      'creative_slot',
    ]);
    const custom = Object.keys(item).filter((key) => !standard.has(key));
    if (custom.length > 10)
      add(at, 'EXCEEDED_MAX_ENTITIES', `An item can have at most 10 custom params, got ${custom.length}.`);
    for (const [key, value] of Object.entries(item)) {
      checkParamName(key, `${at}.${key}`, add);
      if (NUMERIC_ITEM_PARAMS.has(key) && typeof value !== 'number') {
        add(`${at}.${key}`, 'VALUE_INVALID', `Item param [${key}] must be a number.`);
      } else if (TEXT_ITEM_PARAMS.has(key) && typeof value !== 'string') {
        add(`${at}.${key}`, 'VALUE_INVALID', `Item param [${key}] must be a string.`);
      } else {
        checkParamValue(key, value, 100, `${at}.${key}`, add);
      }
    }
  });
}

function checkTimestamp(value: unknown, path: string, nowMs: number, add: Add): void {
  if (value === undefined) return;
  const micros = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof micros !== 'number' || !Number.isFinite(micros)) {
    add(path, 'VALUE_INVALID', `${path} must be a number of microseconds.`);
    return;
  }
  const nowMicros = nowMs * 1000;
  if (micros < nowMicros - MAX_AGE_MICROS) {
    add(path, 'VALUE_OUT_OF_BOUNDS', `${path} is more than 72 hours in the past (is it in microseconds?).`);
  } else if (micros > nowMicros + 15 * 60 * 1_000_000) {
    add(path, 'VALUE_OUT_OF_BOUNDS', `${path} is in the future.`);
  }
}
