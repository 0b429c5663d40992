import { defineDestination } from '@manifold/destination-kit';
import { classifyIterableResponse } from './classify-response';
import { iterableSettings } from './settings';
import { trackEvent } from './track-event';
import { trackPurchase } from './track-purchase';
import { updateUser } from './update-user';

// Iterable's API (libs/destinations/src/iterable/README.md), with Segment's presets: identify →
// users/update, track → events/track, "Order Completed" → commerce/trackPurchase; users and
// events batched through users/bulkUpdate and events/trackBulk.

export const iterable = defineDestination({
  id: 'iterable',
  name: 'Iterable',
  description: 'Updates Iterable users and records their events and purchases, batched through the bulk endpoints.',
  categories: ['Email Marketing', 'SMS & Push Notifications'],
  settings: iterableSettings,
  actions: { updateUser, trackEvent, trackPurchase },
  routes: {
    identify: [{ action: 'updateUser' }],
    track: [{ if: 'event = "Order Completed"', action: 'trackPurchase' }, { action: 'trackEvent' }],
    page: { unsupported: 'Iterable has no page views (Segment maps none); track an event instead' },
    screen: { unsupported: 'Iterable has no screen views (Segment maps none); track an event instead' },
    group: { unsupported: 'Iterable has no groups' },
    alias: { unsupported: 'Iterable changes a user’s email through users/updateEmail, which alias calls do not carry' },
  },
  classifyResponse: classifyIterableResponse,
});

export { iterableSettings, type IterableSettings } from './settings';
