import { z } from 'zod';
import { secret } from '@manifold/destination-kit';

export const posthogSettings = z.object({
  apiKey: secret(z.string().min(1), 'Project API key (phc_…), from the project settings.'),
  apiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .default('https://us.i.posthog.com')
    .meta({
      title: 'PostHog host',
      description: 'https://us.i.posthog.com (US Cloud), https://eu.i.posthog.com (EU Cloud), or your own instance.',
    }),
  historicalMigration: z.boolean().default(false).meta({
    title: 'Historical migration',
    description: 'Marks /batch/ requests as a backfill: ingested in order, without spike detection.',
  }),
  groupType: z.string().min(1).max(400).default('company').meta({
    title: 'Group type',
    description: 'The PostHog group type that group calls create or update ($group_type).',
  }),
  geoipDisable: z.boolean().default(false).meta({
    title: 'Disable GeoIP',
    description: 'Sends $geoip_disable so PostHog does not resolve locations from the IP.',
  }),
  batchSize: z.number().int().min(1).max(1000).default(100).meta({
    title: 'Batch size',
    description: 'Events per /batch/ request (1 sends one event per request).',
  }),
});

export type PosthogSettings = z.output<typeof posthogSettings>;
