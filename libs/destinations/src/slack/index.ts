import { defineDestination } from '@manifold/destination-kit';
import { postMessage } from './post-message';
import { slackSettings } from './settings';

// Slack incoming webhooks (libs/destinations/src/slack/README.md#the-api): a message per matching
// event. Presets post track and identify calls, as Segment's classic Slack destination did; the
// other call types post only when an instance mapping asks for them (a message per page view would
// flood a channel), so without one they are NO_MATCHING_MAPPING, not unsupported.

const known = 'userId != null';

export const slack = defineDestination({
  id: 'slack',
  name: 'Slack',
  description: 'Posts a message to a Slack channel for each matching event, from a template.',
  categories: ['Messaging'],
  settings: slackSettings,
  actions: { postMessage },
  routes: {
    track: [
      { if: known, action: 'postMessage' },
      {
        action: 'postMessage',
        mapping: { text: { '@template': 'An anonymous visitor ({{anonymousId}}) did *{{event}}*' } },
      },
    ],
    identify: [
      {
        if: known,
        action: 'postMessage',
        mapping: { text: { '@template': 'Identified *{{userId}}*' }, details: { '@path': '$.traits' } },
      },
      {
        action: 'postMessage',
        mapping: {
          text: { '@template': 'Identified an anonymous visitor ({{anonymousId}})' },
          details: { '@path': '$.traits' },
        },
      },
    ],
    page: [],
    screen: [],
    group: [],
    alias: [],
  },
});

export { slackSettings, type SlackSettings } from './settings';
