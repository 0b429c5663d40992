import { z } from 'zod';
import { defineAction, isPlainObject, type Notices } from '@manifold/destination-kit';
import {
  eventFields,
  eventMapping,
  importEvent,
  limitedProperties,
  mixpanelInsertId,
  type EventPayload,
  type MixpanelImportEvent,
} from './event-properties';
import { importRequests } from './import-request';
import { mixpanelSettings, type MixpanelSettings } from './settings';

/**
 * Order-level properties not copied onto each "Product Purchased" event
 * (libs/destinations/src/mixpanel/README.md#the-api).
 */
const ORDER_ONLY = new Set([
  'affiliation',
  'subtotal',
  'total',
  'revenue',
  'shipping',
  'tax',
  'discount',
  'coupon',
  'currency',
  'order_number',
  'products',
]);

const fields = z.object({
  ...eventFields,
  products: z.array(z.record(z.string(), z.unknown())).nullish().catch(undefined),
});

/** The order event, then one "Product Purchased" per product (1 ms apart, earlier, with derived insert ids). */
function purchaseEvents(
  payload: EventPayload & { products?: Record<string, unknown>[] | null },
  settings: MixpanelSettings,
  notices: Notices,
): MixpanelImportEvent[] {
  const order = importEvent(payload, notices);
  if (!settings.productPurchasedEvents) return [order];
  const shared: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(order.properties)) if (!ORDER_ONLY.has(key)) shared[key] = value;
  const time = order.properties['time'] as number;
  const products = (payload.products ?? []).filter(isPlainObject);
  return [
    order,
    ...products.map((product, i) => ({
      event: 'Product Purchased',
      properties: {
        ...limitedProperties(shared, product, `properties.products[${i}]`, notices),
        time: time - (i + 1),
        distinct_id: order.properties['distinct_id'],
        $insert_id: mixpanelInsertId(`${payload.insert_id}-product-${i}`),
      },
    })),
  ];
}

export const trackPurchase = defineAction(mixpanelSettings, {
  title: 'Track purchase',
  description: 'Imports an "Order Completed" and, per product, a "Product Purchased" event (/import).',
  fields,
  defaultMapping: { ...eventMapping, products: { '@path': '$.properties.products' } },
  perform: (payload, settings, notices) => importRequests([purchaseEvents(payload, settings, notices)], settings),
  batch: {
    maxEvents: 1000,
    perform: (payloads, settings, notices) =>
      importRequests(
        payloads.map((p, i) => purchaseEvents(p, settings, notices[i] as Notices)),
        settings,
      ),
  },
});
