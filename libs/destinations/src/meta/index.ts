import { defineDestination } from '@manifold/destination-kit';
import { addToCart, customEvent, initiateCheckout, pageView, purchase, search, viewContent } from './actions';
import { classifyMetaResponse } from './classify-response';
import { metaSettings } from './settings';

// Meta Conversions API (libs/destinations/src/meta/README.md): server events with the
// messageId as event_id (deduplicated with the pixel's eventID), customer information normalised
// and SHA-256 hashed as Meta specifies, Segment's standard-event subscriptions.

export const meta = defineDestination({
  id: 'meta-conversions-api',
  name: 'Facebook Conversions API',
  description:
    'Sends server events to a Meta pixel through the Conversions API, with hashed customer information and event ids for deduplication with the pixel.',
  categories: ['Advertising'],
  settings: metaSettings,
  actions: { purchase, initiateCheckout, addToCart, viewContent, search, pageView, customEvent },
  routes: {
    track: [
      { if: 'event = "Order Completed"', action: 'purchase' },
      { if: 'event = "Checkout Started"', action: 'initiateCheckout' },
      { if: 'event = "Product Added"', action: 'addToCart' },
      { if: 'event = "Product Viewed"', action: 'viewContent' },
      { if: 'event = "Products Searched"', action: 'search' },
      { action: 'customEvent' },
    ],
    page: [{ action: 'pageView' }],
    identify: { unsupported: 'the Conversions API takes events, not profiles (user data travels with each event)' },
    screen: { unsupported: 'the Conversions API has no screen views (Segment maps none); track an event instead' },
    group: { unsupported: 'the Conversions API has no groups' },
    alias: { unsupported: 'the Conversions API has no identity merges' },
  },
  classifyResponse: classifyMetaResponse,
});

export { metaSettings, type MetaSettings } from './settings';
export { sha256Hex as metaSha256 } from './user-data';
