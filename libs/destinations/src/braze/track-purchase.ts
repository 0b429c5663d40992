import { z } from 'zod';
import { coerce, defineAction, isPlainObject, lenient, type Notices } from '@manifold/destination-kit';
import { coalesce, compact, isoDateTime, record, optionalText } from '../common/fields';
import { brazeProperties } from './properties';
import { brazeSettings, type BrazeSettings } from './settings';
import { eventObject } from './track-event';
import { identity, isoTime, usersTrackAction, type TrackObject } from './users-track';

// "Order Completed" → one `purchases` object per product (Segment's trackPurchase): product_id
// (product_id, else sku, else name), currency (the product's, else the order's, else USD),
// price, quantity; the product's other keys and the order's properties (without `products`) as
// purchase properties. Prices and quantities sent as text are converted; a product Braze cannot
// take as a purchase (no price, no id, an unknown currency) is left out with a notice, and an
// order with no purchasable product is recorded as a custom event instead, so it is not lost.

const MAX_QUANTITY = 100;
const PRODUCT_FIELDS = ['product_id', 'currency', 'price', 'quantity'];

const fields = z.object({
  externalId: optionalText(),
  email: lenient.email(),
  brazeId: lenient.string(),
  event: z.string().min(1),
  time: isoDateTime(),
  currency: z.unknown().optional().meta({ description: 'Order currency (ISO 4217); USD when absent' }),
  products: z.unknown().optional().meta({ description: 'The order’s products (a list of objects)' }),
  properties: record(),
});

type PurchasePayload = z.output<typeof fields>;

/** The purchase objects of one product (more than one when its quantity is over Braze's 100). */
function productPurchases(
  product: Record<string, unknown>,
  orderCurrency: unknown,
  base: Record<string, unknown>,
  orderProperties: Record<string, unknown>,
  notices: Notices,
): TrackObject[] {
  const id = notices.coerce(
    'products[].product_id',
    product['product_id'] ?? product['sku'] ?? product['name'],
    coerce.string,
  );
  const price = notices.coerce('products[].price', product['price'], coerce.number);
  const currency = notices.coerce(
    'products[].currency',
    product['currency'] ?? orderCurrency ?? 'USD',
    coerce.currency,
  );
  if (id === undefined || id === '' || price === undefined || currency === undefined) {
    const missing =
      id === undefined || id === '' ? 'no product_id, sku or name' : price === undefined ? 'no price' : 'no currency';
    notices.dropped('products[]', `not a purchase Braze takes: ${missing}`);
    return [];
  }
  let quantity = notices.coerce('products[].quantity', product['quantity'], coerce.integer) ?? 1;
  if (quantity < 1) {
    notices.dropped('products[].quantity', 'less than 1 (Braze counts 1)');
    quantity = 1;
  }
  const extra = Object.fromEntries(Object.entries(product).filter(([key]) => !PRODUCT_FIELDS.includes(key)));
  const properties = brazeProperties({ ...extra, ...orderProperties }, 'properties', notices);
  const purchases: TrackObject[] = [];
  // Braze takes at most 100 units per purchase: more are recorded as several purchases.
  for (let left = quantity; left > 0; left -= MAX_QUANTITY) {
    purchases.push({
      array: 'purchases',
      object: { ...base, product_id: id, currency, price, quantity: Math.min(left, MAX_QUANTITY), properties },
    });
  }
  if (purchases.length > 1) {
    notices.reshaped('products[].quantity', `split into purchases of at most ${MAX_QUANTITY}`);
  }
  return purchases;
}

function toObjects(payload: PurchasePayload, settings: BrazeSettings, notices: Notices): TrackObject[] {
  const base = {
    ...identity(payload, 'purchase'),
    ...compact({ app_id: settings.appId }),
    time: isoTime(payload.time),
    _update_existing_only: settings.updateExistingOnly,
  };
  const { products: _products, ...orderProperties } = payload.properties;
  const products = Array.isArray(payload.products) ? payload.products : [];
  if (payload.products !== undefined && payload.products !== null && !Array.isArray(payload.products)) {
    notices.dropped('products', 'not a list');
  }
  const purchases = products.flatMap((product) => {
    if (isPlainObject(product)) return productPurchases(product, payload.currency, base, orderProperties, notices);
    notices.dropped('products[]', 'not an object');
    return [];
  });
  if (purchases.length > 0) return purchases;
  // Nothing Braze takes as a purchase: the order is still recorded, as a custom event.
  notices.reshaped('products', 'no purchase Braze takes: sent as a custom event');
  return [eventObject({ ...payload, name: payload.event }, settings, notices)];
}

export const trackPurchase = defineAction(brazeSettings, {
  title: 'Track purchase',
  description: 'Order Completed: one Braze purchase per product (a custom event when it has no product Braze takes).',
  fields,
  defaultMapping: {
    externalId: { '@path': '$.userId' },
    email: coalesce('$.context.traits.email', '$.properties.email'),
    brazeId: { '@path': '$.properties.braze_id' },
    event: { '@path': '$.event' },
    time: coalesce('$.timestamp', '$.receivedAt'),
    currency: { '@path': '$.properties.currency' },
    products: { '@path': '$.properties.products' },
    properties: { '@path': '$.properties' },
  },
  ...usersTrackAction(fields, toObjects),
});
