import { z } from 'zod';
import { defineAction, DropEventError } from '@manifold/destination-kit';
import { coalesce, compact, isoDateTime, record } from '../common/fields';
import { optionalText } from './optional';
import { brazeSettings, type BrazeSettings } from './settings';
import { identity, isoTime, usersTrackAction } from './users-track';

// "Order Completed" → one `purchases` object per product (Segment's trackPurchase): product_id,
// currency (the product's, else the order's, else USD), price, quantity; the product's other
// keys and the order's properties (without `products`) as purchase properties.

const product = z
  .object({
    product_id: z.union([z.string(), z.number()]).optional(),
    sku: z.union([z.string(), z.number()]).optional(),
    currency: z.string().optional(),
    price: z.number(),
    quantity: z.number().int().min(1).max(100).optional(),
  })
  .catchall(z.unknown())
  .refine((p) => p.product_id !== undefined || p.sku !== undefined, {
    message: 'each product needs a product_id (or sku)',
  });

const fields = z.object({
  externalId: optionalText(),
  email: optionalText(),
  brazeId: optionalText(),
  time: isoDateTime(),
  currency: optionalText(),
  products: z
    .array(product)
    .nullish()
    .transform((value) => value ?? []),
  properties: record(),
});

const PRODUCT_FIELDS = ['product_id', 'currency', 'price', 'quantity'];

function toObjects(payload: z.output<typeof fields>, settings: BrazeSettings): Record<string, unknown>[] {
  if (payload.products.length === 0) {
    throw new DropEventError('NOTHING_TO_SEND', 'Braze records purchases per product: this order has no products');
  }
  const user = identity(payload, 'purchase');
  const { products: _products, ...orderProperties } = payload.properties;
  return payload.products.map((item) => {
    const extra = Object.fromEntries(Object.entries(item).filter(([key]) => !PRODUCT_FIELDS.includes(key)));
    return {
      ...user,
      ...compact({ app_id: settings.appId }),
      product_id: String(item.product_id ?? item.sku),
      currency: (item.currency ?? payload.currency ?? 'USD').toUpperCase(),
      price: item.price,
      quantity: item.quantity ?? 1,
      time: isoTime(payload.time),
      properties: { ...extra, ...orderProperties },
      _update_existing_only: settings.updateExistingOnly,
    };
  });
}

export const trackPurchase = defineAction(brazeSettings, {
  title: 'Track purchase',
  description: 'Order Completed: one Braze purchase per product.',
  fields,
  defaultMapping: {
    externalId: { '@path': '$.userId' },
    email: coalesce('$.context.traits.email', '$.properties.email'),
    brazeId: { '@path': '$.properties.braze_id' },
    time: { '@path': '$.receivedAt' },
    currency: { '@path': '$.properties.currency' },
    products: { '@path': '$.properties.products' },
    properties: { '@path': '$.properties' },
  },
  ...usersTrackAction(fields, 'purchases', toObjects),
});
