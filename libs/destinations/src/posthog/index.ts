import { defineDestination } from '@manifold/destination-kit';
import { createAlias } from './create-alias';
import { groupIdentify } from './group-identify';
import { identify } from './identify';
import { posthogSettings } from './settings';
import { trackEvent } from './track-event';

// PostHog's capture API (libs/destinations/src/posthog/README.md#the-api), with Segment's presets
// for track, page, screen and identify; group and alias, which Segment leaves unmapped, use
// $groupidentify and $create_alias.

export const posthog = defineDestination({
  id: 'posthog',
  name: 'PostHog',
  description:
    'Captures events, page and screen views in PostHog, sets person and group properties, and merges identities.',
  categories: ['Analytics'],
  settings: posthogSettings,
  actions: { trackEvent, identify, groupIdentify, createAlias },
  routes: {
    track: [{ action: 'trackEvent' }],
    page: [
      {
        action: 'trackEvent',
        mapping: {
          event: { '@literal': '$pageview' },
          currentUrl: {
            '@if': {
              exists: { '@path': '$.context.page.url' },
              then: { '@path': '$.context.page.url' },
              else: { '@path': '$.properties.url' },
            },
          },
        },
      },
    ],
    screen: [
      { action: 'trackEvent', mapping: { event: { '@literal': '$screen' }, screenName: { '@path': '$.name' } } },
    ],
    identify: [{ action: 'identify' }],
    group: [{ action: 'groupIdentify' }],
    alias: [{ action: 'createAlias' }],
  },
});

export { posthogSettings, type PosthogSettings } from './settings';
export { eventUuid as posthogEventUuid } from '../common/event-uuid';
