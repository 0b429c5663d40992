import { z } from 'zod';
import { compact, soft } from '../common/fields';
import { osOf, parseUserAgent, type DeviceType } from '../common/user-agent';

// The Spec context as the event properties PostHog's own libraries send and its UI understands:
// page ($current_url, $host, $pathname, $referrer, $referring_domain), browser and OS (from the
// context, else the user agent), device, app, library, screen, locale and campaign. Segment's
// preset sends only $ip (and $current_url on page views).

export const contextFields = z
  .object({
    url: soft.string(),
    path: soft.string(),
    referrer: soft.string(),
    userAgent: soft.string(),
    libraryName: soft.string(),
    libraryVersion: soft.string(),
    osName: soft.string(),
    osVersion: soft.string(),
    deviceType: soft.string(),
    deviceModel: soft.string(),
    deviceManufacturer: soft.string(),
    deviceName: soft.string(),
    appName: soft.string(),
    appVersion: soft.string(),
    appBuild: soft.string(),
    appNamespace: soft.string(),
    screenWidth: soft.number(),
    screenHeight: soft.number(),
    screenDensity: soft.number(),
    locale: soft.string(),
    timezone: soft.string(),
    utmSource: soft.string(),
    utmMedium: soft.string(),
    utmCampaign: soft.string(),
    utmTerm: soft.string(),
    utmContent: soft.string(),
  })
  .nullish();

export const contextMapping = {
  url: { '@path': '$.context.page.url' },
  path: { '@path': '$.context.page.path' },
  referrer: { '@path': '$.context.page.referrer' },
  userAgent: { '@path': '$.context.userAgent' },
  libraryName: { '@path': '$.context.library.name' },
  libraryVersion: { '@path': '$.context.library.version' },
  osName: { '@path': '$.context.os.name' },
  osVersion: { '@path': '$.context.os.version' },
  deviceType: { '@path': '$.context.device.type' },
  deviceModel: { '@path': '$.context.device.model' },
  deviceManufacturer: { '@path': '$.context.device.manufacturer' },
  deviceName: { '@path': '$.context.device.name' },
  appName: { '@path': '$.context.app.name' },
  appVersion: { '@path': '$.context.app.version' },
  appBuild: { '@path': '$.context.app.build' },
  appNamespace: { '@path': '$.context.app.namespace' },
  screenWidth: { '@path': '$.context.screen.width' },
  screenHeight: { '@path': '$.context.screen.height' },
  screenDensity: { '@path': '$.context.screen.density' },
  locale: { '@path': '$.context.locale' },
  timezone: { '@path': '$.context.timezone' },
  utmSource: { '@path': '$.context.campaign.source' },
  utmMedium: { '@path': '$.context.campaign.medium' },
  utmCampaign: { '@path': '$.context.campaign.name' },
  utmTerm: { '@path': '$.context.campaign.term' },
  utmContent: { '@path': '$.context.campaign.content' },
} as const;

export type EventContext = z.output<typeof contextFields>;

/** PostHog's `$device_type` values. */
const DEVICE_TYPES: Record<DeviceType, string> = {
  desktop: 'Desktop',
  mobile: 'Mobile',
  tablet: 'Tablet',
  console: 'Console',
  smarttv: 'TV',
  wearable: 'Wearable',
  embedded: 'Embedded',
};
/** Spec `context.device.type` values that name a phone or tablet platform. */
const HANDHELD_PLATFORMS = new Set(['ios', 'android', 'mobile', 'phone']);

/** The event properties PostHog understands from the Spec context. */
export function contextProperties(context: EventContext): Record<string, unknown> {
  if (!context) return {};
  const agent = parseUserAgent(context.userAgent);
  const url = parseUrl(context.url);
  const os = osOf({ name: context.osName, version: context.osVersion }, agent);
  const platform = context.deviceType?.toLowerCase();
  let deviceType = agent?.deviceType ? DEVICE_TYPES[agent.deviceType] : undefined;
  if (platform === 'tablet' || platform === 'ipad') deviceType = 'Tablet';
  else if (platform && HANDHELD_PLATFORMS.has(platform)) deviceType ??= 'Mobile';
  return compact({
    $current_url: context.url,
    $host: url?.host,
    $pathname: context.path ?? url?.pathname,
    $referrer: context.referrer,
    $referring_domain: parseUrl(context.referrer)?.host,
    $browser: agent?.browser,
    $browser_version: agent?.browserVersion,
    $os: os.name,
    $os_version: os.version,
    $device_type: deviceType,
    $device_model: context.deviceModel ?? agent?.deviceModel,
    $device_manufacturer: context.deviceManufacturer ?? agent?.deviceVendor,
    $device_name: context.deviceName,
    $app_name: context.appName,
    $app_version: context.appVersion,
    $app_build: context.appBuild,
    $app_namespace: context.appNamespace,
    $lib: context.libraryName,
    $lib_version: context.libraryVersion,
    $screen_width: context.screenWidth,
    $screen_height: context.screenHeight,
    $screen_density: context.screenDensity,
    $locale: context.locale,
    $timezone: context.timezone,
    utm_source: context.utmSource,
    utm_medium: context.utmMedium,
    utm_campaign: context.utmCampaign,
    utm_term: context.utmTerm,
    utm_content: context.utmContent,
  });
}

function parseUrl(value: string | null | undefined): URL | undefined {
  if (!value) return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
