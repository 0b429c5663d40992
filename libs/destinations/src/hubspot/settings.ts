import { z } from 'zod';
import { secret } from '@manifold/destination-kit';

export const hubspotSettings = z.object({
  privateAppToken: secret(
    z.string().min(1),
    'Private-app token (pat-…) with the crm.objects.contacts.read and .write, crm.objects.companies.read and .write and analytics.behavioral_events.send scopes (the reads find the records a group call associates). Leave it empty to connect the destination with OAuth instead.',
  ).optional(),
  portalId: z
    .string()
    .regex(/^\d+$/, 'the HubID: digits only')
    .meta({ title: 'HubID', description: 'The account id: custom event names are pe<HubID>_<name>.' }),
  apiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .default('https://api.hubapi.com')
    .meta({ title: 'API host', description: 'https://api.hubapi.com' }),
  companyIdProperty: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/)
    .default('segment_group_id')
    .meta({
      title: 'Company id property',
      description:
        'A company property with unique values (create it in HubSpot first) that holds the groupId: group calls upsert the company by it.',
    }),
  batchSize: z.number().int().min(1).max(100).default(100).meta({
    title: 'Batch size',
    description: 'Contacts or companies per batch upsert (HubSpot takes at most 100).',
  }),
  eventBatchSize: z.number().int().min(1).max(500).default(100).meta({
    title: 'Event batch size',
    description:
      'Custom event occurrences per batch send (HubSpot takes at most 500; 1 sends each alone). HubSpot refuses a whole batch for one invalid occurrence: it is then split in halves until the refused ones are found, which costs requests.',
  }),
});

export type HubspotSettings = z.output<typeof hubspotSettings>;

/** The private-app token's header; none with OAuth, whose access token the translator adds when it sends. */
export function authHeaders(settings: HubspotSettings): Record<string, string> {
  return settings.privateAppToken ? { authorization: `Bearer ${settings.privateAppToken}` } : {};
}
