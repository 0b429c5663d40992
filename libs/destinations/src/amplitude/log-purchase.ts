import { z } from 'zod';
import { defineAction, isPlainObject } from '@manifold/destination-kit';
import {
  amplitudeEvent,
  eventFields,
  eventMapping,
  revenueMapping,
  type AmplitudeEvent,
  type EventPayload,
} from './event-fields';
import { eventsRequests } from './requests';
import { amplitudeSettings } from './settings';

const fields = z.object({
  ...eventFields,
  products: z.array(z.record(z.string(), z.unknown())).nullish().catch(undefined),
});

type PurchasePayload = EventPayload & { products?: Record<string, unknown>[] | null };

/**
 * Segment's logPurchase (libs/destinations/src/amplitude/README.md#the-api): the order event
 * carries the revenue (revenueType "Purchase"), then one "Product Purchased" event per product with
 * the product as its properties and insert_id "<insert_id>-<n>".
 */
function purchaseEvents(payload: PurchasePayload): AmplitudeEvent[] {
  const revenue =
    payload.revenue ??
    (payload.price !== undefined && payload.price !== null && payload.quantity
      ? payload.price * payload.quantity
      : undefined);
  const order = amplitudeEvent(payload, {
    ...(revenue !== undefined && revenue !== null ? { revenue, revenueType: payload.revenue_type ?? 'Purchase' } : {}),
  });
  const products = (payload.products ?? []).filter(isPlainObject);
  const {
    event_properties: _order,
    revenue: _r,
    revenueType: _t,
    price: _p,
    quantity: _q,
    productId: _id,
    ...shared
  } = order;
  return [
    order,
    ...products.map((product, n) => ({
      ...shared,
      event_type: 'Product Purchased',
      event_properties: product,
      ...(payload.insert_id ? { insert_id: `${payload.insert_id}-${n + 1}` } : {}),
    })),
  ];
}

export const logPurchase = defineAction(amplitudeSettings, {
  title: 'Log purchase',
  description: 'Sends an "Order Completed" with its revenue, and a "Product Purchased" event per product.',
  fields,
  defaultMapping: { ...eventMapping, ...revenueMapping, products: { '@path': '$.properties.products' } },
  perform: (payload, settings) => eventsRequests([purchaseEvents(payload)], settings),
  batch: {
    maxEvents: 100,
    perform: (payloads, settings) => eventsRequests(payloads.map(purchaseEvents), settings),
  },
});
