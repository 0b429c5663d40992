import { z } from 'zod';
import { secret } from '@manifold/destination-kit';

export const mailchimpSettings = z.object({
  apiKey: secret(
    z.string().regex(/-[a-z]+\d+$/, 'a Mailchimp API key ends with its data center, e.g. -us6'),
    'Mailchimp API key (Account → Extras → API keys); it ends with the data center, e.g. …-us6.',
  ),
  listId: z.string().min(1).meta({
    title: 'Audience ID',
    description: 'The audience (list) members are added to (Audience → Settings → Audience name and defaults).',
  }),
  doubleOptIn: z.boolean().default(false).meta({
    title: 'Double opt-in',
    description: 'New members start as "pending" and get a confirmation email instead of being subscribed at once.',
  }),
  createMergeFields: z.boolean().default(true).meta({
    title: 'Create merge fields',
    description:
      'Creates a merge field (text, or number for a number) for a trait the audience has none for. Off: such traits are left out with a notice.',
  }),
  batchSize: z.number().int().min(1).max(500).default(1).meta({
    title: 'Batch size',
    description:
      'Identifies per batch subscribe (at most 500). 1 (the default) upserts each member alone and never changes an existing member’s status; above 1, Mailchimp’s batch sets every member to subscribed, and refuses that for members who unsubscribed. Not used with double opt-in.',
  }),
  apiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .optional()
    .meta({
      title: 'API base URL',
      description: 'Defaults to https://<dc>.api.mailchimp.com/3.0, the data center read from the API key.',
    }),
});

export type MailchimpSettings = z.output<typeof mailchimpSettings>;

/** The API's base URL: the setting, else the data center of the key. */
export function mailchimpBaseUrl(settings: MailchimpSettings): string {
  const dc = settings.apiKey.slice(settings.apiKey.lastIndexOf('-') + 1);
  return settings.apiBaseUrl ?? `https://${dc}.api.mailchimp.com/3.0`;
}
