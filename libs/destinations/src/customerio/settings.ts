import { z } from 'zod';
import { secret } from '@manifold/destination-kit';

export const customerioSettings = z.object({
  siteId: secret(z.string().min(1), 'Customer.io site ID (Settings → API Credentials).'),
  apiKey: secret(z.string().min(1), 'Customer.io Track API key (Settings → API Credentials).'),
  apiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .default('https://track.customer.io')
    .meta({
      title: 'Track API URL',
      description: 'https://track.customer.io for US accounts, https://track-eu.customer.io for EU accounts.',
    }),
  convertTimestamps: z.boolean().default(true).meta({
    title: 'Convert timestamps',
    description: 'Send ISO-8601 dates found in attributes as Unix seconds, as Customer.io expects.',
  }),
  batchSize: z.number().int().min(1).max(100).default(50).meta({
    title: 'Batch size',
    description: 'Entities per /api/v2/batch request (1 sends each to /api/v2/entity).',
  }),
});

export type CustomerioSettings = z.output<typeof customerioSettings>;
