import { z } from 'zod';
import { formRequest, joinUrl, USER_AGENT, type RequestDescriptor } from '@manifold/destination-kit';
import type { KissmetricsSettings } from './settings';

// One call of the tracking API: `/e` (event), `/s` (set properties) or `/a` (alias), every field
// a query parameter. As Segment did, a call whose query would pass 2,048 characters is sent as a
// form POST instead, so long property values survive proxies' URL limits.

const MAX_QUERY_CHARS = 2048;

/** Kissmetrics identities and names: at most 255 characters. */
export const KM_NAME = z.string().min(1).max(255, 'Kissmetrics identities and names are at most 255 characters');

export type Endpoint = '/e' | '/s' | '/a';

/** Unix seconds of an ISO time, plus `offset` (distinct seconds keep same-time sets apart). */
export function unixSeconds(iso: string, offset = 0): string {
  return String(Math.floor(Date.parse(iso) / 1000) + offset);
}

export function trackingRequest(
  endpoint: Endpoint,
  params: Record<string, string>,
  settings: KissmetricsSettings,
): RequestDescriptor {
  const fields = { _k: settings.apiKey, ...params };
  const query = new URLSearchParams(fields).toString();
  const url = joinUrl(settings.apiBaseUrl, endpoint);
  if (query.length > MAX_QUERY_CHARS) return formRequest(url, fields);
  return { method: 'GET', url: `${url}?${query}`, headers: { 'user-agent': USER_AGENT } };
}
