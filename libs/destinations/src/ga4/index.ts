import { defineDestination, type Mapping, type RouteRule } from '@manifold/destination-kit';
import { itemShape } from './event-fields';
import { productEvent, purchase, sendEvent, setUserProperties } from './actions';
import { ga4Settings } from './settings';

const named = (name: string, params: Mapping = {}): Mapping => ({
  name: { '@literal': name },
  custom_name: { '@literal': false },
  params,
});

/** Product events whose item is the product in the top-level properties. */
const singleProduct = (event: string, name: string): RouteRule => ({
  if: `event = "${event}"`,
  action: 'productEvent',
  mapping: {
    name: { '@literal': name },
    value: { '@path': '$.properties.price' },
    items: { '@arrayPath': ['$.properties', itemShape] },
  },
});

/** Product events whose items are `properties.products`. */
const productList = (event: string, name: string, extra: Mapping = {}): RouteRule => ({
  if: `event = "${event}"`,
  action: 'productEvent',
  mapping: { name: { '@literal': name }, ...extra },
});

/**
 * Google Analytics 4 through the Measurement Protocol (libs/destinations/src/ga4/README.md),
 * Segment's GA4 presets.
 */
export const ga4 = defineDestination({
  id: 'google-analytics-4',
  name: 'Google Analytics 4',
  description: 'Web and app analytics: page views and events through the GA4 Measurement Protocol.',
  categories: ['Analytics'],
  settings: ga4Settings,
  actions: { sendEvent, productEvent, purchase, setUserProperties },
  routes: {
    page: [
      {
        action: 'sendEvent',
        mapping: named('page_view', {
          page_location: { '@path': '$.context.page.url' },
          page_referrer: { '@path': '$.context.page.referrer' },
          page_title: { '@path': '$.context.page.title' },
        }),
      },
    ],
    track: [
      { if: 'event = "Order Completed"', action: 'purchase' },
      { if: 'event = "Order Refunded"', action: 'purchase', mapping: { name: { '@literal': 'refund' } } },
      singleProduct('Product Added', 'add_to_cart'),
      singleProduct('Product Removed', 'remove_from_cart'),
      singleProduct('Product Added to Wishlist', 'add_to_wishlist'),
      singleProduct('Product Viewed', 'view_item'),
      singleProduct('Product Clicked', 'select_item'),
      productList('Product List Viewed', 'view_item_list', {
        item_list_id: { '@path': '$.properties.list_id' },
        item_list_name: { '@path': '$.properties.category' },
      }),
      productList('Cart Viewed', 'view_cart'),
      productList('Checkout Started', 'begin_checkout'),
      productList('Payment Info Entered', 'add_payment_info', {
        payment_type: { '@path': '$.properties.payment_method' },
      }),
      {
        if: 'event = "Promotion Viewed"',
        action: 'sendEvent',
        mapping: named('view_promotion', {
          promotion_id: { '@path': '$.properties.promotion_id' },
          promotion_name: { '@path': '$.properties.name' },
          creative_name: { '@path': '$.properties.creative' },
          creative_slot: { '@path': '$.properties.position' },
        }),
      },
      {
        if: 'event = "Promotion Clicked"',
        action: 'sendEvent',
        mapping: named('select_promotion', {
          promotion_id: { '@path': '$.properties.promotion_id' },
          promotion_name: { '@path': '$.properties.name' },
          creative_name: { '@path': '$.properties.creative' },
          creative_slot: { '@path': '$.properties.position' },
        }),
      },
      {
        if: 'event = "Products Searched"',
        action: 'sendEvent',
        mapping: named('search', { search_term: { '@path': '$.properties.query' } }),
      },
      {
        if: 'event = "Signed Up"',
        action: 'sendEvent',
        mapping: named('sign_up', { method: { '@path': '$.properties.type' } }),
      },
      {
        if: 'event = "Signed In"',
        action: 'sendEvent',
        mapping: named('login', { method: { '@path': '$.properties.type' } }),
      },
      { action: 'sendEvent' },
    ],
    identify: [{ action: 'setUserProperties' }],
    group: { unsupported: 'GA4 has no group call' },
    alias: { unsupported: 'GA4 has no alias call' },
    screen: { unsupported: 'GA4 web streams take no screen_view; app streams are not mapped yet' },
  },
});

export { ga4Settings, type Ga4Settings } from './settings';
