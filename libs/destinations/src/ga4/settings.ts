import { z } from 'zod';
import { secret } from '@manifold/destination-kit';

export const ga4Settings = z
  .object({
    measurementId: z
      .string()
      .regex(/^G-[A-Z0-9]+$/, 'expected a web stream measurement id like G-XXXXXXX')
      .optional()
      .meta({ description: 'Web data stream (G-…). Either this or a Firebase app id.' }),
    firebaseAppId: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'App data stream (1:123:android:abc). Events then need an app_instance_id.' }),
    apiSecret: secret(z.string().min(1), 'Measurement Protocol API secret of the data stream.'),
    apiBaseUrl: z
      .url({ protocol: /^https?$/ })
      .default('https://www.google-analytics.com')
      .meta({
        description: 'https://www.google-analytics.com, or https://region1.google-analytics.com for EU collection.',
      }),
    lowercaseEventNames: z.boolean().default(false).meta({ description: 'Lower-case custom event names.' }),
    identifyEventName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]{0,39}$/, 'expected a GA4 event name')
      .default('identify')
      .meta({
        description:
          'GA4 takes user properties only with an event: an identify sends its traits with one event of this name.',
      }),
  })
  .refine((s) => (s.measurementId === undefined) !== (s.firebaseAppId === undefined), {
    message: 'set exactly one of measurementId (web) and firebaseAppId (app)',
    path: ['measurementId'],
  });

export type Ga4Settings = z.output<typeof ga4Settings>;
