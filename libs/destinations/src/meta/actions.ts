import { defineAction, Notices } from '@manifold/destination-kit';
import { checkoutData, plainData, productData, purchaseData, searchData } from './custom-data';
import { eventsRequest, serverEvent, serverEventMapping, serverEventSchema } from './server-event';
import { MAX_EVENTS, metaSettings } from './settings';

// The actions of Segment's Conversions API destination: the standard events for Segment's
// e-commerce events and pages, and a custom event for every other track. Each event is one server
// event; they differ in the event name and how custom_data is built. Events of one action share a
// request, up to Meta's 1000 per `data` (the `batchSize` setting).

type CustomData = (properties: Record<string, unknown>, notices: Notices) => Record<string, unknown>;

function serverEventAction(title: string, description: string, eventName: string | undefined, customData: CustomData) {
  return defineAction(metaSettings, {
    title,
    description,
    fields: serverEventSchema,
    defaultMapping: {
      ...serverEventMapping,
      eventName: eventName ? { '@literal': eventName } : { '@path': '$.event' },
    },
    perform: (payload, settings, notices) => [
      eventsRequest([serverEvent(payload, customData(payload.properties, notices), settings, notices)], settings),
    ],
    batch: {
      maxEvents: MAX_EVENTS,
      size: (settings) => settings.batchSize,
      perform: (payloads, settings, notices) => {
        const events = payloads.map((payload, index) => {
          const eventNotices = notices[index] ?? new Notices();
          return serverEvent(payload, customData(payload.properties, eventNotices), settings, eventNotices);
        });
        return [eventsRequest(events, settings)];
      },
    },
  });
}

export const purchase = serverEventAction(
  'Purchase',
  'Order Completed → Purchase, with value, currency and the products as contents.',
  'Purchase',
  purchaseData,
);
export const initiateCheckout = serverEventAction(
  'Initiate checkout',
  'Checkout Started → InitiateCheckout.',
  'InitiateCheckout',
  checkoutData,
);
export const addToCart = serverEventAction('Add to cart', 'Product Added → AddToCart.', 'AddToCart', productData);
export const viewContent = serverEventAction(
  'View content',
  'Product Viewed → ViewContent.',
  'ViewContent',
  productData,
);
export const search = serverEventAction(
  'Search',
  'Products Searched → Search, the query as search_string.',
  'Search',
  searchData,
);
export const pageView = serverEventAction('Page view', 'Page → PageView.', 'PageView', plainData);
export const customEvent = serverEventAction(
  'Custom event',
  'Any other track: a custom event of the same name, the properties as custom_data.',
  undefined,
  plainData,
);
