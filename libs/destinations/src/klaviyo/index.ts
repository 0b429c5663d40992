import { defineDestination } from '@manifold/destination-kit';
import { orderCompleted } from './order-completed';
import { klaviyoSettings } from './settings';
import { subscribeProfile } from './subscribe-profile';
import { trackEvent } from './track-event';
import { upsertProfile } from './upsert-profile';

// Klaviyo's date-revisioned JSON:API (libs/destinations/src/klaviyo/README.md): identify →
// profile import, track → events (Order Completed with one Ordered Product per product),
// "User Subscribed" → a marketing subscription, where the user gave consent.

export const klaviyo = defineDestination({
  id: 'klaviyo',
  name: 'Klaviyo',
  description:
    'Creates and updates Klaviyo profiles, records events (orders with their products), and subscribes consenting profiles to email or SMS marketing.',
  categories: ['Email Marketing', 'SMS & Push Notifications'],
  settings: klaviyoSettings,
  actions: { upsertProfile, trackEvent, orderCompleted, subscribeProfile },
  routes: {
    identify: [{ action: 'upsertProfile' }],
    track: [
      { if: 'event = "Order Completed"', action: 'orderCompleted' },
      { if: 'event = "User Subscribed"', action: 'subscribeProfile' },
      { action: 'trackEvent' },
    ],
    page: { unsupported: 'Klaviyo’s server API has no page views (Segment maps none); track an event instead' },
    screen: { unsupported: 'Klaviyo’s server API has no screen views (Segment maps none); track an event instead' },
    group: { unsupported: 'Klaviyo has no groups or accounts' },
    alias: { unsupported: 'Klaviyo merges profiles by their identifiers, not by alias calls' },
  },
});

export { klaviyoSettings, type KlaviyoSettings } from './settings';
