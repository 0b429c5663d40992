import { z } from 'zod';
import { secret } from '@manifold/destination-kit';

export const kissmetricsSettings = z.object({
  apiKey: secret(z.string().min(1), 'API key of the Kissmetrics product (sent as _k).'),
  apiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .default('https://trk.kissmetrics.io')
    .meta({
      title: 'Tracking host',
      description: 'https://trk.kissmetrics.io (older accounts: https://trk.kissmetrics.com).',
    }),
  prefixProperties: z.boolean().default(false).meta({
    title: 'Prefix properties',
    description:
      'Names each track property "<event> - <property>", so properties of different events never share a name.',
  }),
});

export type KissmetricsSettings = z.output<typeof kissmetricsSettings>;
