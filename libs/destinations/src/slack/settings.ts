import { z } from 'zod';

export const slackSettings = z.object({
  webhookUrl: z.url({ protocol: /^https?$/ }).meta({
    title: 'Incoming webhook URL',
    description:
      'The URL Slack gives when an incoming webhook is added to a channel (https://hooks.slack.com/services/…). ' +
      'Its path is a credential: stored encrypted and masked wherever it is shown.',
  }),
});

export type SlackSettings = z.output<typeof slackSettings>;
