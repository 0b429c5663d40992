import { coerce, defineAction, isPlainObject, type Notices, type RequestDescriptor } from '@manifold/destination-kit';
import { coalesce } from '../common/fields';
import { klaviyoRequest } from './json-api';
import { klaviyoSettings, type KlaviyoSettings } from './settings';
import { eventData, eventFields, eventMapping, eventRequest, type EventPayload } from './track-event';

// "Order Completed" → the order event (value = revenue, else total), then one "Ordered Product"
// event per product with the order's properties (without `products`) and the product's (Segment's
// orderCompleted). Each product event's unique_id is derived from the messageId and the product's
// place in the order, so a retried order is recorded once (Segment uses random ids there).

export const ORDERED_PRODUCT = 'Ordered Product';

function productRequests(payload: EventPayload, settings: KlaviyoSettings, notices: Notices): RequestDescriptor[] {
  const { products, ...order } = payload.properties;
  if (products === undefined || products === null) return [];
  if (!Array.isArray(products)) {
    notices.dropped('products', 'not a list (no Ordered Product events)');
    return [];
  }
  return products.flatMap((product, index) => {
    if (!isPlainObject(product)) {
      notices.dropped('products[]', 'not an object');
      return [];
    }
    const value = notices.coerce('products[].price', product['price'], coerce.number);
    const uniqueId = payload.uniqueId ? `${payload.uniqueId}-product-${index}` : undefined;
    return [
      klaviyoRequest(
        '/api/events',
        eventData(payload, ORDERED_PRODUCT, { ...order, ...product }, { uniqueId, value }, settings, notices),
        settings,
      ),
    ];
  });
}

export const orderCompleted = defineAction(klaviyoSettings, {
  title: 'Order completed',
  description: 'Order Completed: the order event, then one Ordered Product event per product.',
  fields: eventFields,
  defaultMapping: { ...eventMapping, value: coalesce('$.properties.revenue', '$.properties.total') },
  perform: (payload, settings, notices) => [
    eventRequest(payload, settings, notices),
    ...productRequests(payload, settings, notices),
  ],
});
