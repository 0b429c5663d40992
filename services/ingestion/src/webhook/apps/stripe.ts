import { isPlainObject } from '@manifold/json';
import {
  defined,
  header,
  idText,
  specAddress,
  titleCase,
  unixTime,
  type Translation,
  type WebhookApp,
} from '../delivery';
import { verifyStripe } from '../signatures';

// Stripe events: `{id: "evt_…", type, created, data: {object}}`. Customers become identify calls;
// payments, invoices and subscriptions track calls of the user the object's `customer` names,
// with the object's own fields as properties (amounts stay in the currency's smallest unit, as
// Stripe sends them: converting would be lossy for zero-decimal currencies).

const TRACKED = /^(charge\.succeeded|invoice\.paid|customer\.subscription\.[a-z_]+)$/;

const STRIPE_ADDRESS = {
  lines: ['line1', 'line2'],
  city: 'city',
  state: 'state',
  postalCode: 'postal_code',
  country: 'country',
} as const satisfies Parameters<typeof specAddress>[1];

function customerTraits(customer: Record<string, unknown>): Record<string, unknown> {
  const { id: _id, object: _object, created, address: stripeAddress, ...rest } = customer;
  return defined({
    ...rest,
    address: specAddress(stripeAddress, STRIPE_ADDRESS),
    createdAt: unixTime(created),
  });
}

/** `customer.subscription.created` → "Subscription Created"; `charge.succeeded` → "Charge Succeeded". */
export function stripeEventName(type: string): string {
  return titleCase(type.replace(/^customer\.subscription\./, 'subscription.'));
}

export const stripe: WebhookApp = {
  verify: (headers, raw, secret, nowMs) => verifyStripe(header(headers, 'stripe-signature'), raw, secret, nowMs),

  translate({ payload }): Translation {
    const type = typeof payload['type'] === 'string' ? payload['type'] : '';
    const data = payload['data'];
    const object = isPlainObject(data) && isPlainObject(data['object']) ? data['object'] : undefined;
    const id = idText(payload['id']);
    if (!object || !id) return { ignored: type || 'unknown' };
    const common = {
      messageId: `stripe-${id}`,
      timestamp: unixTime(payload['created']),
      context: {
        integration: { name: 'stripe' },
        stripe: defined({ eventId: id, eventType: type, livemode: payload['livemode'] }),
      },
    };
    if (type === 'customer.created' || type === 'customer.updated') {
      return {
        calls: [defined({ type: 'identify', userId: idText(object['id']), traits: customerTraits(object), ...common })],
      };
    }
    if (TRACKED.test(type)) {
      const customer = idText(object['customer']);
      return {
        calls: [
          defined({
            type: 'track',
            event: stripeEventName(type),
            // An object of no customer (a guest charge) is known by its own id.
            ...(customer ? { userId: customer } : { anonymousId: idText(object['id']) }),
            properties: object,
            ...common,
          }),
        ],
      };
    }
    return { ignored: type || 'unknown' };
  },
};
