import { z } from 'zod';
import { defineAction } from '@manifold/destination-kit';
import { compact, soft } from '../common/fields';
import { collectRequest, commonFields, commonMapping, item, itemShape } from './event-fields';
import { ga4Settings } from './settings';

/** A custom or standard event without items (page_view, search, sign_up, login, promotions, custom). */
export const sendEvent = defineAction(ga4Settings, {
  title: 'Send event',
  description: 'One GA4 event; `name` is taken from the Spec event (normalised) unless the route sets it.',
  fields: z.object({ ...commonFields, custom_name: z.boolean().default(false) }),
  defaultMapping: { ...commonMapping, custom_name: { '@literal': true } },
  perform: (payload, settings, notices) =>
    collectRequest(payload, {}, settings, notices, { custom: payload.custom_name }),
});

/** E-commerce events about products (items required). */
export const productEvent = defineAction(ga4Settings, {
  title: 'Product event',
  description: 'add_to_cart, view_item, begin_checkout, ...: a GA4 e-commerce event with items.',
  fields: z.object({
    ...commonFields,
    currency: soft.currency(),
    value: soft.number(),
    payment_type: soft.string(),
    item_list_id: soft.string(),
    item_list_name: soft.string(),
    items: z.array(item).min(1),
  }),
  defaultMapping: {
    ...commonMapping,
    params: { '@literal': {} },
    currency: { '@path': '$.properties.currency' },
    value: { '@path': '$.properties.value' },
    items: { '@arrayPath': ['$.properties.products', itemShape] },
  },
  perform: (payload, settings, notices) =>
    collectRequest(
      payload,
      compact({
        currency: payload.currency,
        value: payload.value,
        payment_type: payload.payment_type,
        item_list_id: payload.item_list_id,
        item_list_name: payload.item_list_name,
      }),
      settings,
      notices,
      { items: payload.items },
    ),
});

/** purchase and refund: transaction id, currency and items required. */
export const purchase = defineAction(ga4Settings, {
  title: 'Purchase or refund',
  description: 'GA4 purchase (Order Completed) or refund (Order Refunded) with its items.',
  fields: z.object({
    ...commonFields,
    transaction_id: z.string().min(1),
    currency: z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code'),
    value: soft.number(),
    tax: soft.number(),
    shipping: soft.number(),
    affiliation: soft.string(),
    coupon: soft.string(),
    items: z.array(item).min(1),
  }),
  defaultMapping: {
    ...commonMapping,
    name: { '@literal': 'purchase' },
    params: { '@literal': {} },
    transaction_id: { '@path': '$.properties.order_id' },
    // Spec: currency defaults to USD (docs/event-spec.md#reserved-properties).
    currency: {
      '@case': {
        operator: 'upper',
        value: {
          '@if': {
            exists: { '@path': '$.properties.currency' },
            then: { '@path': '$.properties.currency' },
            else: 'USD',
          },
        },
      },
    },
    value: {
      '@if': {
        exists: { '@path': '$.properties.total' },
        then: { '@path': '$.properties.total' },
        else: { '@path': '$.properties.revenue' },
      },
    },
    tax: { '@path': '$.properties.tax' },
    shipping: { '@path': '$.properties.shipping' },
    affiliation: { '@path': '$.properties.affiliation' },
    coupon: { '@path': '$.properties.coupon' },
    items: { '@arrayPath': ['$.properties.products', itemShape] },
  },
  perform: (payload, settings, notices) =>
    collectRequest(
      payload,
      compact({
        transaction_id: payload.transaction_id,
        currency: payload.currency,
        value: payload.value,
        tax: payload.tax,
        shipping: payload.shipping,
        affiliation: payload.affiliation,
        coupon: payload.coupon,
      }),
      settings,
      notices,
      { items: payload.items },
    ),
});

const { name: _name, ...identifyFields } = commonFields;
const { name: _nameMapping, params: _params, ...identifyMapping } = commonMapping;

/**
 * identify: GA4 has no identify call, and user properties travel only with an event, so the traits
 * go as user properties of one event named by the `identifyEventName` setting.
 */
export const setUserProperties = defineAction(ga4Settings, {
  title: 'Set user properties',
  description: 'Sends the traits of an identify as GA4 user properties, with one event (identifyEventName).',
  fields: z.object(identifyFields),
  defaultMapping: { ...identifyMapping, user_properties: { '@path': '$.traits' } },
  perform: (payload, settings, notices) =>
    collectRequest({ ...payload, name: settings.identifyEventName, params: {} }, {}, settings, notices, {
      userPropertiesRequired: true,
    }),
});
