import { defineDestination } from '@manifold/destination-kit';
import { classifyBrazeResponse } from './classify-response';
import { groupMembership } from './group-membership';
import { brazeSettings } from './settings';
import { trackEvent } from './track-event';
import { trackPurchase } from './track-purchase';
import { updateUserProfile } from './update-user-profile';

// Braze /users/track, with Segment's presets: identify → attributes,
// track → events, "Order Completed" → one purchase per product.

export const braze = defineDestination({
  id: 'braze',
  name: 'Braze',
  description: 'Updates Braze user profiles and records custom events and purchases through /users/track.',
  categories: ['Email Marketing', 'SMS & Push Notifications'],
  settings: brazeSettings,
  actions: { updateUserProfile, trackEvent, trackPurchase, groupMembership },
  routes: {
    identify: [{ action: 'updateUserProfile' }],
    track: [{ if: 'event = "Order Completed"', action: 'trackPurchase' }, { action: 'trackEvent' }],
    group: [{ action: 'groupMembership' }],
    page: { unsupported: 'Braze /users/track has no page views (Segment maps none); track an event instead' },
    screen: { unsupported: 'Braze /users/track has no screen views (Segment maps none); track an event instead' },
    alias: { unsupported: 'Braze merges users only through /users/merge, which alias calls are not mapped to' },
  },
  classifyResponse: classifyBrazeResponse,
});

export { brazeSettings, type BrazeSettings } from './settings';
