import { z } from 'zod';
import { secret } from '@manifold/destination-kit';

/** A Google Ads customer id: 10 digits, written with or without dashes (123-456-7890), sent without. */
const customerId = () =>
  z
    .string()
    .transform((value) => value.replace(/-/g, '').trim())
    .pipe(z.string().regex(/^\d{10}$/, 'a customer id: 10 digits (dashes allowed)'));

export const googleAdsSettings = z.object({
  customerId: customerId().meta({
    title: 'Customer id',
    description: 'The Google Ads account that owns the conversion actions (123-456-7890).',
  }),
  loginCustomerId: customerId().optional().meta({
    title: 'Login customer id',
    description: 'The manager account the connection acts through, when the account is reached through one.',
  }),
  developerToken: secret(
    z.string().min(1),
    'Your Google Ads API developer token (API Center of the manager account); sent as the developer-token header.',
  ),
  conversionActionId: z.string().regex(/^\d+$/, 'the numeric id of a conversion action').meta({
    title: 'Conversion action id',
    description:
      'The "Import from clicks" conversion action the uploads count against (a route mapping may name another).',
  }),
  customVariables: z
    .record(z.string().min(1), z.string().regex(/^\d+$/, 'the numeric id of a conversion custom variable'))
    .default({})
    .meta({
      title: 'Conversion custom variables',
      description:
        'Property name → id of the account’s conversion custom variable: each named property of a conversion event is sent as that variable’s value.',
    }),
  defaultPhoneCountryCode: z
    .string()
    .regex(/^\d{1,3}$/)
    .default('1')
    .meta({
      title: 'Default phone country code',
      description: 'Country calling code put before phone numbers written without one (E.164 needs it).',
    }),
  apiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .default('https://googleads.googleapis.com')
    .meta({ title: 'API host', description: 'https://googleads.googleapis.com' }),
  apiVersion: z
    .string()
    .regex(/^v\d+$/)
    .default('v22')
    .meta({ title: 'API version', description: 'Google Ads API version of every path (v22).' }),
  batchSize: z.number().int().min(1).max(2000).default(200).meta({
    title: 'Batch size',
    description: 'Conversions per upload (Google takes at most 2000). 1 sends each on its own.',
  }),
});

export type GoogleAdsSettings = z.output<typeof googleAdsSettings>;
