import { defineDestination } from '@manifold/destination-kit';
import { propertiesWith } from '../common/fields';
import { addAccountProperties } from './add-account-properties';
import { addUserProperties } from './add-user-properties';
import { heapSettings } from './settings';
import { trackEvent } from './track-event';

// Heap's public server-side API (libs/destinations/src/heap/README.md#the-api): events, user and
// account properties, each in its bulk form. Segment's presets (track/page/screen → events,
// identify → user properties) plus group → account properties.

const pageProperties = propertiesWith({ name: { '@path': '$.name' }, category: { '@path': '$.category' } });
const screenProperties = propertiesWith({ name: { '@path': '$.name' } });

export const heap = defineDestination({
  id: 'heap',
  name: 'Heap',
  description: 'Sends events, user properties and account properties to Heap over its server-side API.',
  categories: ['Analytics'],
  settings: heapSettings,
  actions: { trackEvent, addUserProperties, addAccountProperties },
  routes: {
    track: [{ action: 'trackEvent' }],
    page: [{ action: 'trackEvent', mapping: { event: { '@literal': 'Page viewed' }, properties: pageProperties } }],
    screen: [
      {
        action: 'trackEvent',
        mapping: { event: { '@literal': 'Screen viewed' }, properties: screenProperties },
      },
    ],
    identify: [{ action: 'addUserProperties' }],
    group: [{ action: 'addAccountProperties' }],
    alias: {
      unsupported:
        'Heap merges users only through its own SDK ids (/api/v1/identify); there is no alias by Segment ids',
    },
  },
});

export { heapSettings, type HeapSettings } from './settings';
