import { z } from 'zod';
import { secret } from '@manifold/destination-kit';

export const mixpanelSettings = z.object({
  projectToken: z
    .string()
    .min(1)
    .meta({ title: 'Project token', description: 'Identifies the project on every call.' }),
  apiSecret: secret(
    z.string().min(1),
    'Project API secret, sent as Basic username to /import; the project token is used when absent.',
  ).optional(),
  apiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .default('https://api.mixpanel.com')
    .meta({
      title: 'API base URL',
      description:
        'https://api.mixpanel.com (US), https://api-eu.mixpanel.com (EU) or https://api-in.mixpanel.com (India).',
    }),
  strictMode: z.boolean().default(true).meta({ description: 'Validate each imported event (strict=1).' }),
  groupKey: z
    .string()
    .min(1)
    .default('$group_id')
    .meta({ description: 'Mixpanel group key of group calls; its value is traits[groupKey] or the groupId.' }),
  productPurchasedEvents: z
    .boolean()
    .default(true)
    .meta({ description: 'Send a "Product Purchased" event per product of an "Order Completed".' }),
});

export type MixpanelSettings = z.output<typeof mixpanelSettings>;
