import { z } from 'zod';
import { defineAction, isPlainObject, type Notices, type RequestDescriptor } from '@manifold/destination-kit';
import { coalesce, isoDateTime, optionalText, record, soft } from '../common/fields';
import { kissmetricsSettings, type KissmetricsSettings } from './settings';
import { KM_NAME, trackingRequest, unixSeconds } from './tracking-request';
import { kmProperties } from './values';

// Track, page and screen calls as Kissmetrics events (`/e`), at the event's own time (`_t` with
// `_d=1`). Revenue is also sent as "Billing Amount", Kissmetrics' revenue property. An "Order
// Completed" event sets each of its products afterwards (`/s`), one second apart, so Kissmetrics'
// de-duplication (same person, property and second) keeps every product.

const fields = z.object({
  event: KM_NAME,
  identity: KM_NAME,
  timestamp: isoDateTime(),
  properties: record(),
  /** "Page - " / "Screen - " for views; else the `prefixProperties` setting decides. */
  propertyPrefix: optionalText(),
  revenue: soft.number(),
});
type Payload = z.output<typeof fields>;

const ORDER_COMPLETED = 'Order Completed';

function products(
  payload: Payload,
  prefix: string,
  settings: KissmetricsSettings,
  notices: Notices,
): RequestDescriptor[] {
  const list = payload.properties['products'];
  if (payload.event !== ORDER_COMPLETED || !Array.isArray(list)) return [];
  return list.flatMap((product, i) => {
    if (!isPlainObject(product)) {
      notices.dropped(`properties.products[${i}]`, 'not an object');
      return [];
    }
    const properties = kmProperties(product, `properties.products[${i}]`, notices, prefix);
    if (Object.keys(properties).length === 0) return [];
    const params = { _p: payload.identity, _t: unixSeconds(payload.timestamp, i + 1), _d: '1', ...properties };
    return [trackingRequest('/s', params, settings)];
  });
}

export const recordEvent = defineAction(kissmetricsSettings, {
  title: 'Record event',
  description: 'Records track, page and screen calls as Kissmetrics events, with their properties.',
  fields,
  defaultMapping: {
    event: { '@path': '$.event' },
    identity: coalesce('$.userId', '$.anonymousId'),
    timestamp: { '@path': '$.timestamp' },
    properties: { '@path': '$.properties' },
    revenue: { '@path': '$.properties.revenue' },
  },
  perform: (payload, settings, notices) => {
    const prefix = payload.propertyPrefix ?? (settings.prefixProperties ? `${payload.event} - ` : '');
    const { products: list, ...rest } = payload.properties;
    const own = payload.event === ORDER_COMPLETED && Array.isArray(list) ? rest : payload.properties;
    const properties = kmProperties(own, 'properties', notices, prefix);
    if (payload.revenue !== undefined && payload.revenue !== null)
      properties['Billing Amount'] = String(payload.revenue);
    const event = trackingRequest(
      '/e',
      { _p: payload.identity, _n: payload.event, _t: unixSeconds(payload.timestamp), _d: '1', ...properties },
      settings,
    );
    return [event, ...products(payload, prefix, settings, notices)];
  },
});
