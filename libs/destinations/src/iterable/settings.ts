import { z } from 'zod';
import { secret } from '@manifold/destination-kit';

export const iterableSettings = z.object({
  apiKey: secret(z.string().min(1), 'Server-side API key of the Iterable project (Integrations → API keys).'),
  apiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .default('https://api.iterable.com')
    .meta({
      title: 'Data center',
      description: 'https://api.iterable.com (US) or https://api.eu.iterable.com (EU): the one the key belongs to.',
    }),
  batchSize: z.number().int().min(1).max(1000).default(500).meta({
    title: 'Batch size',
    description:
      'Users per users/bulkUpdate and events per events/trackBulk request (1 sends users/update and events/track).',
  }),
});

export type IterableSettings = z.output<typeof iterableSettings>;
