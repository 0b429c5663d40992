import { defineDestination } from '@manifold/destination-kit';
import { groupIdentifyUser } from './group-identify';
import { identifyUser } from './identify-user';
import { logEvent } from './log-event';
import { logPurchase } from './log-purchase';
import { mapUser } from './map-user';
import { classifyAmplitudeResponse } from './classify-response';
import { amplitudeSettings } from './settings';

const viewed = (fallback: string) => ({
  event_type: { '@if': { exists: { '@path': '$.name' }, then: { '@template': 'Viewed {{name}}' }, else: fallback } },
});

/** Amplitude (libs/destinations/src/amplitude/README.md), following Segment's Amplitude (Actions) presets. */
export const amplitude = defineDestination({
  id: 'amplitude',
  name: 'Amplitude',
  description: 'Product analytics: events through the HTTP V2 API, user and group properties through Identify.',
  categories: ['Analytics'],
  settings: amplitudeSettings,
  actions: { logEvent, logPurchase, identifyUser, groupIdentifyUser, mapUser },
  routes: {
    track: [{ if: 'event = "Order Completed"', action: 'logPurchase' }, { action: 'logEvent' }],
    page: [{ action: 'logEvent', mapping: viewed('Loaded a Page') }],
    screen: [{ action: 'logEvent', mapping: viewed('Loaded a Screen') }],
    identify: [{ action: 'identifyUser' }],
    group: [{ action: 'groupIdentifyUser' }],
    alias: [{ action: 'mapUser' }],
  },
  classifyResponse: classifyAmplitudeResponse,
});

export { amplitudeSettings, type AmplitudeSettings } from './settings';
