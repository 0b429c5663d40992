import { z } from 'zod';
import { isPlainObject } from '@manifold/destination-kit';
import { coalesce, compact, epochMs, isoDateTime, record, soft } from '../common/fields';
import { osOf, parseUserAgent } from '../common/user-agent';

/**
 * Fields of an Amplitude event (libs/destinations/src/amplitude/README.md#the-api), mapped as
 * Segment's logEventV2 does (the README's Fields table).
 */
export const eventFields = {
  user_id: soft.string(),
  device_id: soft.string(),
  event_type: z.string().min(1),
  timestamp: isoDateTime(),
  session_id: soft.integer(),
  event_properties: record(),
  user_properties: record(),
  /** The page the user came from: `referrer`, and `initial_referrer` once, in user properties. */
  referrer: soft.string(),
  /** Campaign parameters: `utm_*`, and `initial_utm_*` once, in user properties. */
  utm_properties: z
    .object({
      utm_source: soft.string(),
      utm_medium: soft.string(),
      utm_campaign: soft.string(),
      utm_term: soft.string(),
      utm_content: soft.string(),
    })
    .nullish()
    .catch(undefined),
  app_version: soft.string(),
  device_type: soft.string(),
  library_name: soft.string(),
  os_name: soft.string(),
  os_version: soft.string(),
  device_brand: soft.string(),
  device_manufacturer: soft.string(),
  device_model: soft.string(),
  carrier: soft.string(),
  country: soft.string(),
  region: soft.string(),
  city: soft.string(),
  location_lat: soft.number(),
  location_lng: soft.number(),
  language: soft.string(),
  ip: soft.string(),
  /** `context.userAgent`: OS and device of web events, where the context names none. */
  user_agent: soft.string(),
  /** The device's advertising id: `adid` on Android, `idfa` elsewhere (iOS). */
  advertising_id: soft.string(),
  idfv: soft.string(),
  insert_id: soft.string(),
  /** Revenue fields: only purchase events map them (see `revenueMapping`). */
  price: soft.number(),
  quantity: soft.integer(),
  revenue: soft.number(),
  product_id: soft.string(),
  revenue_type: soft.string(),
};

export const eventMapping = {
  user_id: { '@path': '$.userId' },
  device_id: coalesce('$.context.device.id', '$.anonymousId'),
  event_type: { '@path': '$.event' },
  timestamp: coalesce('$.timestamp', '$.receivedAt'),
  session_id: { '@path': '$.integrations.Amplitude.session_id' },
  event_properties: { '@path': '$.properties' },
  user_properties: { '@path': '$.context.traits' },
  referrer: { '@path': '$.context.page.referrer' },
  utm_properties: {
    utm_source: { '@path': '$.context.campaign.source' },
    utm_medium: { '@path': '$.context.campaign.medium' },
    utm_campaign: { '@path': '$.context.campaign.name' },
    utm_term: { '@path': '$.context.campaign.term' },
    utm_content: { '@path': '$.context.campaign.content' },
  },
  app_version: { '@path': '$.context.app.version' },
  device_type: { '@path': '$.context.device.type' },
  library_name: { '@path': '$.context.library.name' },
  os_name: { '@path': '$.context.os.name' },
  os_version: { '@path': '$.context.os.version' },
  device_brand: { '@path': '$.context.device.brand' },
  device_manufacturer: { '@path': '$.context.device.manufacturer' },
  device_model: { '@path': '$.context.device.model' },
  carrier: { '@path': '$.context.network.carrier' },
  country: { '@path': '$.context.location.country' },
  region: { '@path': '$.context.location.region' },
  city: { '@path': '$.context.location.city' },
  location_lat: { '@path': '$.context.location.latitude' },
  location_lng: { '@path': '$.context.location.longitude' },
  language: { '@path': '$.context.locale' },
  ip: { '@path': '$.context.ip' },
  user_agent: { '@path': '$.context.userAgent' },
  advertising_id: coalesce('$.context.device.advertisingId', '$.context.device.idfa'),
  idfv: { '@path': '$.context.device.id' },
  insert_id: { '@path': '$.messageId' },
} as const;

/**
 * The revenue fields, mapped only for purchases ("Order Completed", or a route whose mapping adds
 * them): on any other event Amplitude would book price and revenue as revenue. They stay in the
 * event properties either way.
 */
export const revenueMapping = {
  price: { '@path': '$.properties.price' },
  quantity: { '@path': '$.properties.quantity' },
  revenue: { '@path': '$.properties.revenue' },
  product_id: { '@path': '$.properties.productId' },
  revenue_type: { '@path': '$.properties.revenueType' },
} as const;

export type EventPayload = z.output<z.ZodObject<typeof eventFields>>;
export type AmplitudeEvent = Record<string, unknown>;

/** Amplitude's platform names: iOS/Android from the device type, "Web" for analytics.js. */
export function platform(payload: Pick<EventPayload, 'device_type' | 'library_name'>): string | undefined {
  const type = payload.device_type?.toLowerCase();
  if (type === 'ios') return 'iOS';
  if (type === 'android') return 'Android';
  if (payload.device_type) return payload.device_type;
  return payload.library_name === 'analytics.js' ? 'Web' : undefined;
}

/**
 * User properties as Segment's Amplitude actions send them: the mapped ones (traits), plus the
 * referrer and campaign parameters under `$set` (latest) and `$setOnce` (`initial_*`, first
 * touch). Amplitude takes this mix of plain keys and operations from Segment in production
 * (libs/destinations/src/amplitude/README.md#the-api). Undefined when there is nothing to send.
 */
export function userProperties(
  payload: Pick<EventPayload, 'user_properties' | 'referrer' | 'utm_properties'>,
): Record<string, unknown> | undefined {
  const latest: Record<string, unknown> = compact({ ...payload.utm_properties });
  if (payload.referrer) latest['referrer'] = payload.referrer;
  const properties: Record<string, unknown> = { ...payload.user_properties };
  if (Object.keys(latest).length > 0) {
    const first = Object.fromEntries(Object.entries(latest).map(([key, value]) => [`initial_${key}`, value]));
    properties['$set'] = { ...objectOrEmpty(properties['$set']), ...latest };
    properties['$setOnce'] = { ...objectOrEmpty(properties['$setOnce']), ...first };
  }
  return Object.keys(properties).length > 0 ? properties : undefined;
}

function isAndroid(payload: Pick<EventPayload, 'device_type' | 'os_name'>): boolean {
  return payload.device_type?.toLowerCase() === 'android' || payload.os_name?.toLowerCase() === 'android';
}

/**
 * The device/context part shared by events and identifications. Where the context names no OS or
 * device (web events), they come from the user agent, as Amplitude's own browser SDK reports them.
 */
export function deviceFields(payload: Omit<EventPayload, 'event_type'>): AmplitudeEvent {
  const agent = payload.os_name && payload.device_model ? undefined : parseUserAgent(payload.user_agent);
  const os = osOf({ name: payload.os_name, version: payload.os_version }, agent);
  const fromAgent = !payload.device_model && !payload.device_manufacturer && !payload.device_brand;
  return compact({
    app_version: payload.app_version,
    platform: platform(payload),
    os_name: os.name,
    os_version: os.version,
    device_brand: payload.device_brand,
    device_manufacturer: fromAgent ? agent?.deviceVendor : payload.device_manufacturer,
    device_model: fromAgent ? agent?.deviceModel : payload.device_model,
    carrier: payload.carrier,
    country: payload.country,
    region: payload.region,
    city: payload.city,
    language: payload.language,
  });
}

/** One /2/httpapi event. Times in milliseconds; the messageId is the insert_id Amplitude de-duplicates on. */
export function amplitudeEvent(payload: EventPayload, overrides: AmplitudeEvent = {}): AmplitudeEvent {
  return {
    ...compact({
      user_id: payload.user_id,
      device_id: payload.device_id,
      event_type: payload.event_type,
      time: epochMs(payload.timestamp),
      session_id: payload.session_id,
      event_properties: payload.event_properties,
      user_properties: userProperties(payload),
    }),
    ...deviceFields(payload),
    ...compact({
      location_lat: payload.location_lat,
      location_lng: payload.location_lng,
      ip: payload.ip,
      [isAndroid(payload) ? 'adid' : 'idfa']: payload.advertising_id,
      idfv: payload.idfv,
      insert_id: payload.insert_id,
      price: payload.price,
      quantity: payload.quantity,
      revenue: payload.revenue,
      productId: payload.product_id,
      revenueType: payload.revenue_type,
      library: 'manifold',
    }),
    ...overrides,
  };
}

function objectOrEmpty(value: unknown): Record<string, unknown> {
  return isPlainObject(value) ? value : {};
}
