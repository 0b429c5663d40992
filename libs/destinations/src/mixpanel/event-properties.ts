import { createHash } from 'node:crypto';
import { z } from 'zod';
import { isPlainObject, type Notices } from '@manifold/destination-kit';
import { coalesce, compact, epochMs, isoDateTime, record, soft } from '../common/fields';
import { osOf, parseUserAgent } from '../common/user-agent';

/**
 * Fields every Mixpanel event action maps
 * (libs/destinations/src/mixpanel/README.md#event-properties, Segment's trackEvent).
 */
export const eventFields = {
  event: z.string().min(1),
  distinct_id: z.string(),
  anonymous_id: soft.string(),
  user_id: soft.string(),
  group_id: soft.string(),
  insert_id: z.string().min(1),
  timestamp: isoDateTime(),
  ip: soft.string(),
  url: soft.string(),
  referrer: soft.string(),
  os_name: soft.string(),
  os_version: soft.string(),
  device_model: soft.string(),
  device_manufacturer: soft.string(),
  device_name: soft.string(),
  device_type: soft.string(),
  app_name: soft.string(),
  app_namespace: soft.string(),
  app_build: soft.string(),
  app_version: soft.string(),
  carrier: soft.string(),
  wifi: soft.boolean(),
  bluetooth: soft.boolean(),
  cellular: soft.boolean(),
  screen_width: soft.number(),
  screen_height: soft.number(),
  screen_density: soft.number(),
  locale: soft.string(),
  timezone: soft.string(),
  country: soft.string(),
  library_name: soft.string(),
  library_version: soft.string(),
  utm_source: soft.string(),
  utm_medium: soft.string(),
  utm_campaign: soft.string(),
  utm_term: soft.string(),
  utm_content: soft.string(),
  /** `context.userAgent`: $browser, and OS and device where the context names none (web events). */
  user_agent: soft.string(),
  properties: record(),
};

export const eventMapping = {
  event: { '@path': '$.event' },
  distinct_id: {
    '@if': {
      exists: { '@path': '$.userId' },
      then: { '@path': '$.userId' },
      else: { '@if': { exists: { '@path': '$.anonymousId' }, then: { '@path': '$.anonymousId' }, else: '' } },
    },
  },
  anonymous_id: { '@path': '$.anonymousId' },
  user_id: { '@path': '$.userId' },
  group_id: { '@path': '$.context.groupId' },
  insert_id: { '@path': '$.messageId' },
  timestamp: coalesce('$.timestamp', '$.receivedAt'),
  ip: { '@path': '$.context.ip' },
  url: { '@path': '$.context.page.url' },
  referrer: { '@path': '$.context.page.referrer' },
  os_name: { '@path': '$.context.os.name' },
  os_version: { '@path': '$.context.os.version' },
  device_model: { '@path': '$.context.device.model' },
  device_manufacturer: { '@path': '$.context.device.manufacturer' },
  device_name: { '@path': '$.context.device.name' },
  device_type: { '@path': '$.context.device.type' },
  app_name: { '@path': '$.context.app.name' },
  app_namespace: { '@path': '$.context.app.namespace' },
  app_build: { '@path': '$.context.app.build' },
  app_version: { '@path': '$.context.app.version' },
  carrier: { '@path': '$.context.network.carrier' },
  wifi: { '@path': '$.context.network.wifi' },
  bluetooth: { '@path': '$.context.network.bluetooth' },
  cellular: { '@path': '$.context.network.cellular' },
  screen_width: { '@path': '$.context.screen.width' },
  screen_height: { '@path': '$.context.screen.height' },
  screen_density: { '@path': '$.context.screen.density' },
  locale: { '@path': '$.context.locale' },
  timezone: { '@path': '$.context.timezone' },
  country: { '@path': '$.context.location.country' },
  library_name: { '@path': '$.context.library.name' },
  library_version: { '@path': '$.context.library.version' },
  utm_source: { '@path': '$.context.campaign.source' },
  utm_medium: { '@path': '$.context.campaign.medium' },
  utm_campaign: { '@path': '$.context.campaign.name' },
  utm_term: { '@path': '$.context.campaign.term' },
  utm_content: { '@path': '$.context.campaign.content' },
  user_agent: { '@path': '$.context.userAgent' },
  properties: { '@path': '$.properties' },
} as const;

export type EventPayload = z.output<z.ZodObject<typeof eventFields>>;

export interface MixpanelImportEvent {
  event: string;
  properties: Record<string, unknown>;
}

/** Properties Mixpanel sets itself: user properties with these names would overwrite ours. */
const RESERVED = new Set(['time', 'id', '$anon_id', 'distinct_id', '$group_id', '$insert_id', '$user_id']);

/**
 * `$insert_id` must be at most 36 bytes of [A-Za-z0-9-]; Spec messageIds are often longer
 * (`ajs-next-<ms>-<uuid>`). Valid ids pass through; others become a stable 32-hex digest, so a
 * retried event keeps its id and Mixpanel still de-duplicates it.
 */
export function mixpanelInsertId(id: string): string {
  if (/^[A-Za-z0-9-]{1,36}$/.test(id)) return id;
  return createHash('sha256').update(id).digest('hex').slice(0, 32);
}

/**
 * Browser, OS and device as Mixpanel's own libraries report them: the context's OS and device when
 * it names them (mobile SDKs), else what the user agent says (`$device` only for phones and tablets,
 * as Mixpanel's JavaScript library).
 */
function deviceProperties(payload: EventPayload): Record<string, unknown> {
  const agent = parseUserAgent(payload.user_agent);
  const os = osOf({ name: payload.os_name, version: payload.os_version }, agent);
  const fromAgent = !payload.device_model && !payload.device_manufacturer && !payload.device_type;
  const handheld = agent?.deviceType === 'mobile' || agent?.deviceType === 'tablet';
  return {
    $browser: agent?.browser,
    $browser_version: agent?.browserVersion,
    $os: os.name,
    $os_version: os.version,
    $model: fromAgent ? agent?.deviceModel : payload.device_model,
    $manufacturer: fromAgent ? agent?.deviceVendor : payload.device_manufacturer,
    $device: fromAgent ? (handheld ? agent?.deviceModel : undefined) : payload.device_type,
  };
}

/** Mixpanel refuses (strict) an event of 255 properties or more, and so objects or lists of 255 keys or items. */
const MAX_KEYS = 254;
/** Objects nested deeper than this (the properties object being level 1) are refused too. */
const MAX_DEPTH = 3;

/**
 * A property value within Mixpanel's nesting limits, `depth` being its level: an object nested
 * deeper than 3 levels is left out, objects and lists are cut to 254 keys or items, each with a
 * notice; undefined when nothing of it can be sent.
 */
function nestedValue(value: unknown, depth: number, field: string, notices: Notices): unknown {
  if (Array.isArray(value)) {
    if (value.length > MAX_KEYS) notices.reshaped(field, `cut to ${MAX_KEYS} items`);
    const items: unknown[] = [];
    value.slice(0, MAX_KEYS).forEach((item, i) => {
      const shaped = nestedValue(item, depth + 1, `${field}[${i}]`, notices);
      if (shaped !== undefined) items.push(shaped);
    });
    return items;
  }
  if (!isPlainObject(value)) return value;
  if (depth > MAX_DEPTH) {
    notices.dropped(field, `object nested deeper than Mixpanel's ${MAX_DEPTH} levels`);
    return undefined;
  }
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (Object.keys(out).length >= MAX_KEYS) {
      notices.dropped(`${field}.${key}`, `more than ${MAX_KEYS} keys in one object`);
      continue;
    }
    const shaped = nestedValue(inner, depth + 1, `${field}.${key}`, notices);
    if (shaped !== undefined) out[key] = shaped;
  }
  return out;
}

/**
 * An event's properties within Mixpanel's limits (libs/destinations/src/mixpanel/README.md#the-api),
 * which would otherwise refuse the whole event: `required` (Mixpanel's own) all, then `properties`
 * (which win on a clash) as far as 254 properties go, each nested within the limits. What is left
 * out or cut gets a notice under `<field>.<name>`.
 */
export function limitedProperties(
  required: Record<string, unknown>,
  properties: Record<string, unknown>,
  field: string,
  notices: Notices,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...required };
  let count = Object.keys(out).length;
  for (const [key, value] of Object.entries(properties)) {
    if (!(key in out)) {
      if (count >= MAX_KEYS) {
        notices.dropped(`${field}.${key}`, `more than ${MAX_KEYS} properties in one event`);
        continue;
      }
      count += 1;
    }
    const shaped = nestedValue(value, 2, `${field}.${key}`, notices);
    if (shaped === undefined) {
      if (!(key in required)) count -= 1;
      continue;
    }
    out[key] = shaped;
  }
  return out;
}

/** One /import event from a mapped payload (Segment's trackEvent property layout). */
export function importEvent(payload: EventPayload, notices: Notices): MixpanelImportEvent {
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload.properties)) if (!RESERVED.has(key)) own[key] = value;
  return {
    event: payload.event,
    properties: limitedProperties(
      compact({
        time: epochMs(payload.timestamp),
        distinct_id: payload.distinct_id,
        $device_id: payload.anonymous_id,
        $user_id: payload.user_id,
        $insert_id: mixpanelInsertId(payload.insert_id),
        $group_id: payload.group_id,
        ip: payload.ip,
        $current_url: payload.url,
        $referrer: payload.referrer,
        ...deviceProperties(payload),
        $device_name: payload.device_name,
        $app_name: payload.app_name,
        $app_namespace: payload.app_namespace,
        $app_build_number: payload.app_build,
        $app_version_string: payload.app_version,
        $carrier: payload.carrier,
        $wifi_enabled: payload.wifi,
        $bluetooth_enabled: payload.bluetooth,
        $cellular_enabled: payload.cellular,
        $screen_width: payload.screen_width,
        $screen_height: payload.screen_height,
        $screen_density: payload.screen_density,
        $locale: payload.locale,
        timezone: payload.timezone,
        mp_country_code: payload.country,
        $lib_version: payload.library_version,
        mp_lib: payload.library_name ? `Manifold: ${payload.library_name}` : undefined,
        $source: 'manifold',
        utm_source: payload.utm_source,
        utm_medium: payload.utm_medium,
        utm_campaign: payload.utm_campaign,
        utm_term: payload.utm_term,
        utm_content: payload.utm_content,
      }),
      own,
      'properties',
      notices,
    ),
  };
}
