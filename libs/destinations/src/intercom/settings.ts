import { z } from 'zod';
import { secret } from '@manifold/destination-kit';

export const intercomSettings = z.object({
  accessToken: secret(z.string().min(1), 'Intercom access token (Developer Hub → your app → Authentication).'),
  apiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .default('https://api.intercom.io')
    .meta({
      title: 'API URL',
      description: 'https://api.intercom.io (US), https://api.eu.intercom.io (EU) or https://api.au.intercom.io (AU).',
    }),
  apiVersion: z.string().min(1).default('2.11').meta({
    title: 'API version',
    description: 'Sent as Intercom-Version; the request shapes are those of 2.11.',
  }),
  createCustomAttributes: z.boolean().default(true).meta({
    title: 'Create custom attributes',
    description:
      'Create the custom data attributes that traits need and the workspace does not have yet (Intercom writes only existing ones; off: such traits are left out, with a notice).',
  }),
});

export type IntercomSettings = z.output<typeof intercomSettings>;
