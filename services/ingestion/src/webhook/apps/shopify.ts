import { isPlainObject } from '@manifold/json';
import {
  defined,
  header,
  idText,
  objectAt,
  specAddress,
  type Translation,
  type WebhookApp,
  type WebhookCall,
} from '../delivery';
import { verifyShopify } from '../signatures';

// Shopify deliveries: the topic is X-Shopify-Topic, the delivery's id X-Shopify-Webhook-Id (kept
// on every retry of it; X-Shopify-Event-Id when absent). A new order is Segment's "Order
// Completed" (e-commerce spec: order_id, total, revenue, shipping, tax, discount, coupon,
// currency, products); a new customer an identify call. Shopify sends money as decimal strings:
// they become numbers, which keeps every digit such a string can hold.

type Payload = Record<string, unknown>;

function money(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || !/^-?\d+(\.\d+)?$/.test(value)) return undefined;
  return Number(value);
}

function products(order: Payload): Array<Record<string, unknown>> {
  const items = Array.isArray(order['line_items']) ? order['line_items'] : [];
  return items.filter(isPlainObject).map((item, index) =>
    defined({
      product_id: idText(item['product_id']),
      variant_id: idText(item['variant_id']),
      sku: item['sku'] || undefined,
      name: item['title'] ?? item['name'],
      variant: item['variant_title'] || undefined,
      brand: item['vendor'] || undefined,
      price: money(item['price']),
      quantity: item['quantity'],
      position: index + 1,
    }),
  );
}

function orderCompleted(order: Payload): WebhookCall {
  const codes = Array.isArray(order['discount_codes']) ? order['discount_codes'].filter(isPlainObject) : [];
  const customer = idText(objectAt(order, 'customer')['id']);
  const shipping = objectAt(objectAt(order, 'total_shipping_price_set'), 'shop_money')['amount'];
  return defined({
    type: 'track',
    event: 'Order Completed',
    // A guest checkout has no customer: the order is known by its own id.
    ...(customer ? { userId: customer } : { anonymousId: idText(order['id']) }),
    properties: defined({
      order_id: idText(order['id']),
      order_number: order['order_number'],
      checkout_id: idText(order['checkout_id']),
      total: money(order['total_price']),
      subtotal: money(order['subtotal_price']),
      revenue: money(order['subtotal_price']),
      shipping: money(shipping),
      tax: money(order['total_tax']),
      discount: money(order['total_discounts']),
      coupon: codes.map((code) => code['code']).join(',') || undefined,
      currency: order['currency'],
      products: products(order),
    }),
    timestamp: typeof order['created_at'] === 'string' ? order['created_at'] : undefined,
    ...(typeof order['email'] === 'string' && order['email'] !== ''
      ? { context: { traits: { email: order['email'] } } }
      : {}),
  });
}

const SHOPIFY_ADDRESS = {
  lines: ['address1', 'address2'],
  city: 'city',
  state: 'province',
  postalCode: 'zip',
  country: 'country',
} as const satisfies Parameters<typeof specAddress>[1];

function customerIdentify(customer: Payload): WebhookCall {
  return defined({
    type: 'identify',
    userId: idText(customer['id']),
    traits: defined({
      email: customer['email'] ?? undefined,
      firstName: customer['first_name'] ?? undefined,
      lastName: customer['last_name'] ?? undefined,
      phone: customer['phone'] ?? undefined,
      address: specAddress(customer['default_address'], SHOPIFY_ADDRESS),
      createdAt: customer['created_at'] ?? undefined,
      state: customer['state'] ?? undefined,
      tags: customer['tags'] || undefined,
      note: customer['note'] ?? undefined,
      verifiedEmail: customer['verified_email'] ?? undefined,
      currency: customer['currency'] ?? undefined,
    }),
    timestamp: typeof customer['created_at'] === 'string' ? customer['created_at'] : undefined,
  });
}

const TOPICS: Record<string, (payload: Payload) => WebhookCall> = {
  'orders/create': orderCompleted,
  'customers/create': customerIdentify,
};

export const shopify: WebhookApp = {
  verify: (headers, raw, secret) => verifyShopify(header(headers, 'x-shopify-hmac-sha256'), raw, secret),

  translate({ headers, payload }): Translation {
    const topic = header(headers, 'x-shopify-topic') ?? 'unknown';
    const delivery = header(headers, 'x-shopify-webhook-id') ?? header(headers, 'x-shopify-event-id');
    const translate = Object.hasOwn(TOPICS, topic) ? TOPICS[topic] : undefined;
    if (!translate || !delivery) return { ignored: topic };
    const call = translate(payload);
    const shop = header(headers, 'x-shopify-shop-domain');
    const context = isPlainObject(call['context']) ? call['context'] : {};
    call['messageId'] = `shopify-${delivery}`;
    call['context'] = {
      ...context,
      integration: { name: 'shopify' },
      shopify: defined({ topic, shop, webhookId: delivery }),
    };
    return { calls: [call] };
  },
};
