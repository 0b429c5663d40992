import { isPlainObject } from '@manifold/json';

// Braze /users/track object rules. Each problem is reported the way
// Braze reports it: `{ type, input_array, index }` with a `type` text like "'quantity' is not valid".

export type BrazeArray = 'attributes' | 'events' | 'purchases';

const IDENTIFIER_REQUIRED = "'external_id', 'braze_id', 'user_alias', 'email' or 'phone' is required";
const MAX_KEY_CHARS = 255;
const MAX_STRING_CHARS = 255;
const MAX_NESTED_BYTES = 50 * 1024;
const GENDERS = ['M', 'F', 'O', 'N', 'P'];
/** Standard profile attributes whose values are text (null clears them). */
const TEXT_ATTRIBUTES = [
  'first_name',
  'last_name',
  'email',
  'phone',
  'country',
  'home_city',
  'image_url',
  'language',
  'time_zone',
  'bio',
];
const SUBSCRIPTION_STATES = ['opted_in', 'subscribed', 'unsubscribed'];
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}([.:]\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

// ISO 4217 alphabetic codes in use.
export const CURRENCIES = new Set(
  (
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF ' +
    'CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD ' +
    'HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD ' +
    'MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN ' +
    'PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY ' +
    'TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL'
  ).split(' '),
);

export const isIsoTime = (value: unknown): boolean =>
  typeof value === 'string' &&
  ISO_8601.test(value) &&
  !Number.isNaN(Date.parse(value.replace(/:(\d{3})(?=Z|[+-])/, '.$1')));

/** The identifier a Braze object names its user by ("external_id:u1"), or undefined. */
export function userKey(object: Record<string, unknown>): string | undefined {
  for (const key of ['external_id', 'braze_id', 'email', 'phone']) {
    const value = object[key];
    if (typeof value === 'string' && value !== '') return `${key}:${value}`;
  }
  const alias = object['user_alias'];
  if (isPlainObject(alias) && typeof alias['alias_name'] === 'string' && typeof alias['alias_label'] === 'string') {
    return `alias:${alias['alias_label']}:${alias['alias_name']}`;
  }
  return undefined;
}

/** Braze's `type` text for the first problem of one object, or undefined when it is valid. */
export function objectProblem(array: BrazeArray, object: unknown): string | undefined {
  if (!isPlainObject(object)) return 'object is not valid';
  if (!userKey(object)) return IDENTIFIER_REQUIRED;
  const update = object['_update_existing_only'];
  if (update !== undefined && typeof update !== 'boolean') return "'_update_existing_only' is not valid";
  if (array === 'attributes') return attributesProblem(object);
  if (object['app_id'] !== undefined && typeof object['app_id'] !== 'string') return "'app_id' is not valid";
  if (object['time'] === undefined) return "'time' is required";
  if (!isIsoTime(object['time'])) return "'time' is not valid";
  const properties = propertiesProblem(object['properties']);
  if (properties) return properties;
  if (array === 'events') {
    if (typeof object['name'] !== 'string' || object['name'] === '') return "'name' is required";
    return undefined;
  }
  const productId = object['product_id'];
  if (typeof productId !== 'string' || productId === '' || productId.length > MAX_KEY_CHARS) {
    return "'product_id' is not valid";
  }
  const currency = object['currency'];
  if (typeof currency !== 'string' || !CURRENCIES.has(currency.toUpperCase())) return "'currency' is not valid";
  if (typeof object['price'] !== 'number' || !Number.isFinite(object['price'])) return "'price' is not valid";
  const quantity = object['quantity'];
  if (
    quantity !== undefined &&
    (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1 || quantity > 100)
  ) {
    return "'quantity' is not valid";
  }
  return undefined;
}

function propertiesProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) return "'properties' is not valid";
  for (const [key, property] of Object.entries(value)) {
    if (key === '' || key.length > MAX_KEY_CHARS || key.startsWith('$'))
      return `'properties.${key}' is not a valid key`;
    if (typeof property === 'string' && property.length > MAX_STRING_CHARS) return `'properties.${key}' is not valid`;
    if (
      typeof property === 'object' &&
      property !== null &&
      Buffer.byteLength(JSON.stringify(property)) > MAX_NESTED_BYTES
    ) {
      return `'properties.${key}' is too large`;
    }
  }
  return undefined;
}

function attributesProblem(object: Record<string, unknown>): string | undefined {
  for (const key of Object.keys(object)) {
    if (key.startsWith('$') || key.length > MAX_KEY_CHARS) return `'${key}' is not a valid attribute name`;
  }
  for (const key of TEXT_ATTRIBUTES) {
    const value = object[key];
    if (value !== undefined && value !== null && typeof value !== 'string') return `'${key}' is not valid`;
  }
  const gender = object['gender'];
  if (gender !== undefined && gender !== null && !GENDERS.includes(String(gender))) return "'gender' is not valid";
  const dob = object['dob'];
  if (dob !== undefined && dob !== null && (typeof dob !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(dob))) {
    return "'dob' is not valid";
  }
  for (const key of ['email_subscribe', 'push_subscribe']) {
    const state = object[key];
    if (state !== undefined && state !== null && !SUBSCRIPTION_STATES.includes(String(state)))
      return `'${key}' is not valid`;
  }
  const location = object['current_location'];
  if (
    location !== undefined &&
    location !== null &&
    (!isPlainObject(location) || typeof location['latitude'] !== 'number' || typeof location['longitude'] !== 'number')
  ) {
    return "'current_location' is not valid";
  }
  return undefined;
}
