import { z } from 'zod';
import { secret } from '@manifold/destination-kit';

export const klaviyoSettings = z.object({
  apiKey: secret(
    z.string().min(1),
    'Private API key (pk_…) with the profiles:write, events:write and subscriptions:write scopes.',
  ),
  revision: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/)
    .default('2026-07-15')
    .meta({
      title: 'API revision',
      description: 'The dated API revision sent in the revision header (each stays stable for a year).',
    }),
  listId: z.string().min(1).optional().meta({
    title: 'List ID',
    description: 'The list that profiles subscribing ("User Subscribed") join; none subscribes them to the account.',
  }),
  defaultCountryCode: z
    .string()
    .regex(/^\d{1,3}$/)
    .optional()
    .meta({
      title: 'Default country calling code',
      description:
        'Digits (e.g. 1, 44) prefixed to phone numbers written without one, for E.164. Without it such numbers are left out.',
    }),
  apiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .default('https://a.klaviyo.com')
    .meta({ title: 'API host', description: 'https://a.klaviyo.com' }),
});

export type KlaviyoSettings = z.output<typeof klaviyoSettings>;
