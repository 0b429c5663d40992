// One reading of `context.userAgent` for every destination that wants browser, OS or device
// fields (Mixpanel's $browser, PostHog's $os, Amplitude's os_name for web events, ...), with
// ua-parser-js 1.x (MIT; its 2.x line is AGPL and must not be used here).
import { UAParser } from 'ua-parser-js';

export type DeviceType = 'desktop' | 'mobile' | 'tablet' | 'console' | 'smarttv' | 'wearable' | 'embedded';

export interface UserAgentInfo {
  browser?: string;
  browserVersion?: string;
  os?: string;
  osVersion?: string;
  /** "desktop" when a browser runs on a desktop OS (the parser names no type for those). */
  deviceType?: DeviceType;
  deviceVendor?: string;
  deviceModel?: string;
}

const DEVICE_TYPES = new Set<string>(['mobile', 'tablet', 'console', 'smarttv', 'wearable', 'embedded']);
/** The same few user agents come again and again; parsing one costs tens of microseconds. */
const CACHE_LIMIT = 1000;
const cache = new Map<string, UserAgentInfo>();

/** What a user agent string says, or undefined when it is not a string or says nothing. */
export function parseUserAgent(userAgent: unknown): UserAgentInfo | undefined {
  if (typeof userAgent !== 'string' || userAgent.trim() === '') return undefined;
  let info = cache.get(userAgent);
  if (!info) {
    info = read(userAgent);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(userAgent, info);
  }
  return Object.keys(info).length > 0 ? info : undefined;
}

function read(userAgent: string): UserAgentInfo {
  const { browser, os, device } = new UAParser(userAgent).getResult();
  let deviceType: DeviceType | undefined;
  if (device.type && DEVICE_TYPES.has(device.type)) deviceType = device.type as DeviceType;
  else if (!device.type && browser.name && os.name) deviceType = 'desktop';
  const info: UserAgentInfo = {
    browser: browser.name,
    browserVersion: browser.version,
    os: os.name,
    osVersion: os.version,
    deviceType,
    deviceVendor: device.vendor,
    deviceModel: device.model,
  };
  for (const key of Object.keys(info) as (keyof UserAgentInfo)[]) if (info[key] === undefined) delete info[key];
  return Object.freeze(info);
}

/**
 * The OS an event came from: the one its context names (mobile SDKs know it), else the one its
 * user agent names (browsers), never a mix of the two.
 */
export function osOf(
  context: { name?: string | null | undefined; version?: string | null | undefined },
  agent: UserAgentInfo | undefined,
): { name?: string | undefined; version?: string | undefined } {
  if (context.name) return { name: context.name, version: context.version ?? undefined };
  return { name: agent?.os, version: agent?.osVersion };
}
