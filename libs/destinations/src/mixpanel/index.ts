import { defineDestination } from '@manifold/destination-kit';
import { createAlias } from './alias';
import { groupIdentifyUser } from './group-identify';
import { identifyUser } from './identify-user';
import { classifyMixpanelResponse } from './classify-response';
import { mixpanelSettings } from './settings';
import { trackEvent } from './track-event';
import { trackPurchase } from './track-purchase';

const viewed = (fallback: string) => ({
  event: { '@if': { exists: { '@path': '$.name' }, then: { '@template': 'Viewed {{name}}' }, else: fallback } },
});

/** Mixpanel (libs/destinations/src/mixpanel/README.md), following Segment's Mixpanel (Actions) presets. */
export const mixpanel = defineDestination({
  id: 'mixpanel',
  name: 'Mixpanel',
  description: 'Product analytics: events through the Import API, user and group profiles through Engage.',
  categories: ['Analytics'],
  settings: mixpanelSettings,
  actions: { trackEvent, trackPurchase, identifyUser, groupIdentifyUser, createAlias },
  routes: {
    track: [{ if: 'event = "Order Completed"', action: 'trackPurchase' }, { action: 'trackEvent' }],
    page: [{ action: 'trackEvent', mapping: viewed('Loaded a Page') }],
    screen: [{ action: 'trackEvent', mapping: viewed('Loaded a Screen') }],
    identify: [{ action: 'identifyUser' }],
    group: [{ action: 'groupIdentifyUser' }],
    alias: [{ action: 'createAlias' }],
  },
  classifyResponse: classifyMixpanelResponse,
});

export { mixpanelSettings, type MixpanelSettings } from './settings';
export { mixpanelInsertId } from './event-properties';
