import { defineDestination } from '@manifold/destination-kit';
import { coalesce, propertiesWith } from '../common/fields';
import { recordEvent } from './record-event';
import { alias, setProperties } from './set-properties';
import { kissmetricsSettings } from './settings';

// Kissmetrics' HTTP tracking API (libs/destinations/src/kissmetrics/README.md#the-api), mapped as
// Segment's Kissmetrics integration did: events, person properties, aliases.

const viewName = (kind: 'Page' | 'Screen') => ({
  '@if': {
    exists: { '@path': '$.name' },
    then: { '@template': `Viewed {{name}} ${kind}` },
    else: {
      '@if': {
        exists: { '@path': '$.category' },
        then: { '@template': `Viewed {{category}} ${kind}` },
        else: { '@literal': `Loaded a ${kind}` },
      },
    },
  },
});

const viewMapping = (kind: 'Page' | 'Screen') => ({
  event: viewName(kind),
  propertyPrefix: { '@literal': `${kind} - ` },
  properties: propertiesWith({ name: { '@path': '$.name' }, category: { '@path': '$.category' } }),
  revenue: { '@literal': null },
});

export const kissmetrics = defineDestination({
  id: 'kissmetrics',
  name: 'Kissmetrics',
  description: 'Records events, sets person properties and joins identities in Kissmetrics.',
  categories: ['Analytics'],
  settings: kissmetricsSettings,
  actions: { recordEvent, setProperties, alias },
  routes: {
    track: [
      // An order's revenue is its total when it names no revenue, as Segment's integration read it.
      {
        if: 'event = "Order Completed"',
        action: 'recordEvent',
        mapping: { revenue: coalesce('$.properties.revenue', '$.properties.total') },
      },
      { action: 'recordEvent' },
    ],
    page: [{ action: 'recordEvent', mapping: viewMapping('Page') }],
    screen: [{ action: 'recordEvent', mapping: viewMapping('Screen') }],
    identify: [
      {
        action: 'setProperties',
        mapping: {
          alsoKnownAs: { '@if': { exists: { '@path': '$.userId' }, then: { '@path': '$.anonymousId' } } },
        },
      },
    ],
    group: [
      {
        action: 'setProperties',
        mapping: { propertyPrefix: { '@literal': 'Group - ' }, groupId: { '@path': '$.groupId' } },
      },
    ],
    alias: [{ action: 'alias' }],
  },
});

export { kissmetricsSettings, type KissmetricsSettings } from './settings';
