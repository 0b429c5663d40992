import { z } from 'zod';
import { defineAction, jsonRequest } from '@manifold/destination-kit';
import { compact, soft } from '../common/fields';
import { messageText } from './message-text';
import { slackSettings } from './settings';

// One message per event to the incoming webhook: `text` is a mapping-kit template resolved
// against the event, `details` its properties (or traits) as lines under it. Channel, username
// and icon are honoured only by legacy custom-integration webhooks (an app's webhook is bound to
// its channel and ignores them), so they are mapped only when a mapping sets them.

const fields = z.object({
  text: z
    .string()
    .trim()
    .min(1, 'Slack needs a message text')
    .meta({ description: 'Message text (mrkdwn), a template' }),
  details: soft.object(), // shown as "• name: value" lines under the text
  channel: soft.string(), // Channel override (legacy webhooks only), e.g. #alerts
  username: soft.string(), // Sender name (legacy webhooks only)
  iconUrl: soft.string(), // Sender icon URL (legacy webhooks only)
  iconEmoji: soft.string(), // Sender icon emoji, e.g. :rocket: (legacy webhooks only)
  unfurlLinks: soft.boolean(), // Unfurl links to text content
  unfurlMedia: soft.boolean(), // Unfurl links to media
});

export const postMessage = defineAction(slackSettings, {
  title: 'Post message',
  description: 'Posts a message built from a template to the channel of an incoming webhook.',
  fields,
  defaultMapping: {
    text: { '@template': '*{{userId}}* did *{{event}}*' },
    details: { '@path': '$.properties' },
  },
  perform: (payload, settings, notices) => [
    jsonRequest(
      'POST',
      settings.webhookUrl,
      compact({
        text: messageText(payload.text, payload.details ?? {}, notices),
        channel: payload.channel,
        username: payload.username,
        icon_url: payload.iconUrl,
        icon_emoji: payload.iconEmoji,
        unfurl_links: payload.unfurlLinks,
        unfurl_media: payload.unfurlMedia,
      }),
    ),
  ],
});
