import type { z } from 'zod';
import { coerce, defineAction, DropEventError, isPlainObject, type Notices } from '@manifold/destination-kit';
import { compact, record } from '../common/fields';
import { iterableRequest } from './bulk';
import { dataFields } from './data-fields';
import { identity, unixSeconds } from './identity';
import { iterableSettings } from './settings';
import { attribution, eventFields, eventMapping } from './track-event';

// "Order Completed" → commerce/trackPurchase (Segment's trackPurchase): the order id, the total,
// one item per product (`id`, `name`, `price`, `quantity` required by Iterable; sku, categories,
// url, imageUrl, description, and the product's other keys as item dataFields), the order's
// properties (without `products`) as dataFields, and the user with the context traits.

const fields = eventFields.extend({ userTraits: record() });
type PurchasePayload = z.output<typeof fields>;

const ITEM_KEYS = ['product_id', 'sku', 'name', 'price', 'quantity', 'category', 'url', 'image_url', 'description'];

function categories(value: unknown, notices: Notices): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value) ? value : [value];
  const out = list.flatMap((c) => notices.coerce('items[].categories', c, coerce.string) ?? []);
  return out.length > 0 ? out : undefined;
}

function purchaseItem(product: Record<string, unknown>, notices: Notices): Record<string, unknown> | undefined {
  const id = notices.coerce('items[].id', product['product_id'] ?? product['sku'], coerce.string);
  const price = notices.coerce('items[].price', product['price'], coerce.number);
  if (!id || price === undefined) {
    notices.dropped('items[]', id ? 'no price' : 'no product_id or sku');
    return undefined;
  }
  let name = notices.coerce('items[].name', product['name'], coerce.string);
  if (!name) {
    notices.reshaped('items[].name', 'no name: the product id used');
    name = id;
  }
  const extra = Object.fromEntries(Object.entries(product).filter(([key]) => !ITEM_KEYS.includes(key)));
  return compact({
    id,
    sku: notices.coerce('items[].sku', product['sku'], coerce.string),
    name,
    description: notices.coerce('items[].description', product['description'], coerce.string),
    categories: categories(product['category'], notices),
    price,
    quantity: notices.coerce('items[].quantity', product['quantity'], coerce.integer) ?? 1,
    url: notices.coerce('items[].url', product['url'], coerce.string),
    imageUrl: notices.coerce('items[].imageUrl', product['image_url'], coerce.string),
    dataFields: Object.keys(extra).length > 0 ? dataFields(extra, 'items[].dataFields', notices) : undefined,
  });
}

function items(products: unknown, notices: Notices): Record<string, unknown>[] {
  if (products === undefined || products === null) return [];
  if (!Array.isArray(products)) {
    notices.dropped('items', 'products is not a list');
    return [];
  }
  return products.flatMap((product: unknown): Record<string, unknown>[] => {
    if (!isPlainObject(product)) {
      notices.dropped('items[]', 'not an object');
      return [];
    }
    const item = purchaseItem(product, notices);
    return item ? [item] : [];
  });
}

function purchaseBody(payload: PurchasePayload, notices: Notices): Record<string, unknown> {
  const { products, ...order } = payload.properties;
  const total = notices.coerce('total', order['total'] ?? order['revenue'], coerce.number);
  if (total === undefined) {
    throw new DropEventError('INVALID_PAYLOAD', 'Iterable purchases need a total (properties.total or revenue)');
  }
  const { email: _email, phone, ...traits } = payload.userTraits;
  return {
    ...compact({ id: notices.coerce('id', order['order_id'], coerce.string) }),
    user: {
      ...identity(payload, 'purchases'),
      dataFields: {
        ...dataFields(traits, 'user.dataFields', notices),
        ...(phone !== undefined && phone !== null ? { phoneNumber: phone } : {}),
      },
      preferUserId: true,
      mergeNestedObjects: true,
    },
    items: items(products, notices),
    total,
    createdAt: unixSeconds(payload.createdAt),
    dataFields: dataFields(order, 'dataFields', notices),
    ...attribution(payload, notices),
  };
}

export const trackPurchase = defineAction(iterableSettings, {
  title: 'Track purchase',
  description: 'Order Completed: a purchase with its items and total.',
  fields,
  defaultMapping: {
    ...eventMapping,
    eventName: { '@path': '$.event' },
    userTraits: { '@path': '$.context.traits' },
  },
  perform: (payload, settings, notices) => [
    iterableRequest('/api/commerce/trackPurchase', purchaseBody(payload, notices), settings),
  ],
});
