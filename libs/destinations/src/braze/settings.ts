import { z } from 'zod';
import { secret } from '@manifold/destination-kit';

export const brazeSettings = z.object({
  apiKey: secret(z.string().min(1), 'Braze REST API key with the users.track permission.'),
  apiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .default('https://rest.iad-01.braze.com')
    .meta({
      title: 'REST endpoint',
      description:
        'Your instance: https://rest.iad-01.braze.com … rest.iad-08, rest.us-09, rest.us-10, rest.fra-01.braze.eu, rest.fra-02.braze.eu, rest.au-01.braze.com, rest.id-01.braze.com, rest.jp-01.braze.com.',
    }),
  appId: z.string().min(1).optional().meta({ title: 'App ID', description: 'Sent as app_id on events and purchases.' }),
  updateExistingOnly: z.boolean().default(false).meta({
    title: 'Update existing users only',
    description: 'Sends _update_existing_only: Braze then ignores data for users it does not know.',
  }),
  batchSize: z.number().int().min(1).max(75).default(75).meta({
    title: 'Batch size',
    description: 'Objects per /users/track array (Braze takes at most 75).',
  }),
});

export type BrazeSettings = z.output<typeof brazeSettings>;
