import { z } from 'zod';

/** Salesforce object and field API names: a letter, then letters, digits and single underscores (`Segment_Id__c`). */
const API_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

export const salesforceSettings = z.object({
  instanceUrl: z
    .url({ protocol: /^https?$/ })
    .optional()
    .meta({
      title: 'Instance URL',
      description:
        "The org's API host (https://<domain>.my.salesforce.com). Filled in from Salesforce's answer when you connect.",
    }),
  environment: z.enum(['production', 'sandbox']).default('production').meta({
    title: 'Environment',
    description:
      'production logs in at login.salesforce.com, sandbox at test.salesforce.com. Connect again after changing it.',
  }),
  apiVersion: z
    .string()
    .regex(/^\d{2,3}\.0$/, 'a REST API version such as 62.0')
    .default('62.0')
    .meta({ title: 'API version', description: 'REST API version of every call (/services/data/v<version>/).' }),
  identifyObject: z.enum(['Lead', 'Contact']).default('Lead').meta({
    title: 'Object for identify',
    description: 'Identify creates or updates a Lead or a Contact.',
  }),
  identifyExternalIdField: z.string().regex(API_NAME).optional().meta({
    title: 'External id field (identify)',
    description:
      'An external id field of the Lead or Contact (e.g. Segment_User_Id__c) holding the userId: identify upserts by it. Empty: the record is found by email.',
  }),
  accountExternalIdField: z.string().regex(API_NAME).optional().meta({
    title: 'External id field (group)',
    description:
      'An external id field of Account (e.g. Segment_Group_Id__c) holding the groupId: group upserts by it. Empty: the Account is found by AccountNumber = groupId.',
  }),
  batchSize: z.number().int().min(1).max(200).default(200).meta({
    title: 'Batch size',
    description:
      'Records per sObject Collections upsert when an external id field is set (Salesforce takes at most 200). 1 sends each on its own; lookups by email or AccountNumber are never batched.',
  }),
});

export type SalesforceSettings = z.output<typeof salesforceSettings>;
