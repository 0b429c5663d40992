import { z } from 'zod';
import { secret } from '@manifold/destination-kit';

export const zendeskSettings = z.object({
  subdomain: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/i, 'the subdomain of <subdomain>.zendesk.com')
    .meta({ title: 'Subdomain', description: 'Your Zendesk subdomain: acme for https://acme.zendesk.com.' }),
  email: z.email().meta({
    title: 'Agent email',
    description: 'Email of the admin (or agent allowed to manage users and organizations) the API token belongs to.',
  }),
  apiToken: secret(z.string().min(1), 'Zendesk API token (Admin Center → Apps and integrations → Zendesk API).'),
  createUsersAsVerified: z.boolean().default(false).meta({
    title: 'Create users as verified',
    description: 'New users’ email addresses are marked verified (no verification email is sent).',
  }),
  createCustomFields: z.boolean().default(true).meta({
    title: 'Create custom fields',
    description:
      'Creates a user or organization field (text, decimal or checkbox, after the first value) for a trait Zendesk has no field for. Off: such traits are left out with a notice.',
  }),
  batchSize: z.number().int().min(1).max(100).default(1).meta({
    title: 'Users per request',
    description:
      'Above 1, identifies go together through users/create_or_update_many (at most 100), answered by a job: see the README for what is known at delivery time. 1 (default) sends each user on its own.',
  }),
  apiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .optional()
    .meta({
      title: 'API base URL',
      description: 'Defaults to https://<subdomain>.zendesk.com (a host-mapped domain works too).',
    }),
});

export type ZendeskSettings = z.output<typeof zendeskSettings>;

export const zendeskBaseUrl = (settings: ZendeskSettings): string =>
  settings.apiBaseUrl ?? `https://${settings.subdomain}.zendesk.com`;
