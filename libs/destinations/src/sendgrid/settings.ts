import { z } from 'zod';
import { secret } from '@manifold/destination-kit';

export const sendgridSettings = z.object({
  apiKey: secret(z.string().min(1), 'SendGrid API key with the Marketing (contacts and custom fields) scopes.'),
  apiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .default('https://api.sendgrid.com')
    .meta({
      title: 'API host',
      description: 'https://api.sendgrid.com, or https://api.eu.sendgrid.com for EU regional subusers.',
    }),
  listIds: z
    .array(z.uuid())
    .max(100)
    .default([])
    .meta({ title: 'List IDs', description: 'Marketing lists every upserted contact is also added to.' }),
  createCustomFields: z.boolean().default(true).meta({
    title: 'Create custom fields',
    description:
      'Creates a custom field (Text or Number, after the first value) for a trait SendGrid has no field of that name for. Off: such traits are left out with a notice.',
  }),
  batchSize: z.number().int().min(1).max(30_000).default(1000).meta({
    title: 'Batch size',
    description: 'Contacts per upsert request (SendGrid takes up to 30,000 and 6 MB).',
  }),
});

export type SendgridSettings = z.output<typeof sendgridSettings>;
