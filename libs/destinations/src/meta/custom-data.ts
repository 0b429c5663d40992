import { coerce, DropEventError, isPlainObject, type Notices } from '@manifold/destination-kit';
import { compact } from '../common/fields';
import { customProperties } from './server-event';

// custom_data of the standard events, from Segment's e-commerce properties: Meta's own keys
// (value, currency, contents, content_ids, num_items, order_id, …) beside every other property,
// which Meta keeps as a custom key. Values of another type are converted when lossless; a
// product Meta cannot take as a `contents` item (no id) is left out of `contents` with a notice
// (the `products` property itself is still sent).

interface Item {
  id: string;
  quantity: number;
  item_price?: number;
}

function item(product: Record<string, unknown>, notices: Notices): Item | undefined {
  const id = notices.coerce('custom_data.contents[].id', product['product_id'] ?? product['sku'], coerce.string);
  if (id === undefined || id === '') {
    notices.dropped('custom_data.contents[]', 'no product_id or sku');
    return undefined;
  }
  const quantity = notices.coerce('custom_data.contents[].quantity', product['quantity'], coerce.integer) ?? 1;
  const price = notices.coerce('custom_data.contents[].item_price', product['price'], coerce.number);
  return { id, quantity, ...compact({ item_price: price }) };
}

/** `contents` of a list of products. */
function itemsOf(products: unknown, notices: Notices): Item[] {
  if (products === undefined || products === null) return [];
  if (!Array.isArray(products)) {
    notices.dropped('custom_data.contents', 'products is not a list');
    return [];
  }
  return products.flatMap((product) => {
    if (!isPlainObject(product)) {
      notices.dropped('custom_data.contents[]', 'not an object');
      return [];
    }
    return item(product, notices) ?? [];
  });
}

function contentKeys(items: Item[]): Record<string, unknown> {
  if (items.length === 0) return {};
  return {
    contents: items,
    content_ids: items.map((i) => i.id),
    content_type: 'product',
    num_items: items.reduce((sum, i) => sum + i.quantity, 0),
  };
}

const money = (properties: Record<string, unknown>, keys: string[], notices: Notices) => {
  const key = keys.find((k) => properties[k] !== undefined && properties[k] !== null);
  return key === undefined ? undefined : notices.coerce('custom_data.value', properties[key], coerce.number);
};

function currency(properties: Record<string, unknown>, notices: Notices): string | undefined {
  return notices.coerce('custom_data.currency', properties['currency'], coerce.currency);
}

const withProperties = (properties: Record<string, unknown>, standard: Record<string, unknown>) => ({
  ...customProperties(properties),
  ...compact(standard),
});

/** Purchase: value and currency are required by Meta; USD when no currency is given (Spec). */
export function purchaseData(properties: Record<string, unknown>, notices: Notices): Record<string, unknown> {
  const value = money(properties, ['revenue', 'total', 'value'], notices);
  if (value === undefined) {
    throw new DropEventError(
      'INVALID_PAYLOAD',
      'Meta Purchase events need custom_data.value (properties.revenue or total)',
    );
  }
  const code = coerce.currency(properties['currency'] ?? 'USD');
  if (!code.ok) {
    throw new DropEventError('INVALID_PAYLOAD', 'Meta Purchase events need custom_data.currency, an ISO 4217 code');
  }
  return withProperties(properties, {
    value,
    currency: code.value,
    order_id: notices.coerce('custom_data.order_id', properties['order_id'], coerce.string),
    ...contentKeys(itemsOf(properties['products'], notices)),
  });
}

/** InitiateCheckout: the cart's value and products. */
export function checkoutData(properties: Record<string, unknown>, notices: Notices): Record<string, unknown> {
  return withProperties(properties, {
    value: money(properties, ['revenue', 'total', 'value'], notices),
    currency: currency(properties, notices),
    order_id: notices.coerce('custom_data.order_id', properties['order_id'], coerce.string),
    ...contentKeys(itemsOf(properties['products'], notices)),
  });
}

/** AddToCart and ViewContent: the event's own properties are the product. */
export function productData(properties: Record<string, unknown>, notices: Notices): Record<string, unknown> {
  const product = item(properties, notices);
  return withProperties(properties, {
    value: money(properties, ['price', 'value'], notices),
    currency: currency(properties, notices),
    content_name: notices.coerce('custom_data.content_name', properties['name'], coerce.string),
    content_category: notices.coerce('custom_data.content_category', properties['category'], coerce.string),
    ...contentKeys(product ? [product] : []),
  });
}

/** Search: the query as search_string. */
export function searchData(properties: Record<string, unknown>, notices: Notices): Record<string, unknown> {
  return withProperties(properties, {
    search_string: notices.coerce('custom_data.search_string', properties['query'], coerce.string),
  });
}

/** PageView and custom events: the properties as custom keys (value and currency read when given). */
export function plainData(properties: Record<string, unknown>, notices: Notices): Record<string, unknown> {
  return withProperties(properties, {
    value: money(properties, ['value', 'revenue'], notices),
    currency: currency(properties, notices),
  });
}
