import { z } from 'zod';
import { secret } from '@manifold/destination-kit';

/** Where an event happened, as Meta's `action_source` names it. */
export const ACTION_SOURCES = [
  'email',
  'website',
  'app',
  'phone_call',
  'chat',
  'physical_store',
  'system_generated',
  'business_messaging',
  'other',
] as const;
export type ActionSource = (typeof ACTION_SOURCES)[number];

/** Meta's documented maximum of server events in one request's `data`. */
export const MAX_EVENTS = 1000;

export const metaSettings = z.object({
  accessToken: secret(
    z.string().min(1),
    'Conversions API access token of a system user with access to the pixel (Events Manager → Settings).',
  ),
  pixelId: z
    .string()
    .regex(/^\d+$/, 'a pixel or dataset id is digits')
    .meta({ title: 'Pixel ID', description: 'The pixel (dataset) the events are sent to.' }),
  actionSource: z.enum(ACTION_SOURCES).default('website').meta({
    title: 'Action source',
    description:
      'Where the conversions happen (website needs the page URL and user agent; app builds app_data from the app context). An event may override it with properties.action_source.',
  }),
  testEventCode: z.string().min(1).optional().meta({
    title: 'Test event code',
    description:
      'Sends test_event_code so events show in Events Manager → Test events. Meta still uses them: remove it in production.',
  }),
  limitedDataUse: z.boolean().default(false).meta({
    title: 'Limited Data Use',
    description: 'Sends data_processing_options ["LDU"] with country and state 0 (Meta geolocates).',
  }),
  apiVersion: z
    .string()
    .regex(/^v\d+\.0$/)
    .default('v24.0')
    .meta({ title: 'Graph API version', description: 'e.g. v24.0 (Conversions API versions stay for two years).' }),
  batchSize: z
    .number()
    .int()
    .min(1)
    .max(MAX_EVENTS)
    .default(MAX_EVENTS)
    .meta({
      title: 'Batch size',
      description: `Server events per request (Meta takes at most ${MAX_EVENTS}); 1 sends each event alone.`,
    }),
  apiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .default('https://graph.facebook.com')
    .meta({ title: 'Graph API host', description: 'https://graph.facebook.com' }),
});

export type MetaSettings = z.output<typeof metaSettings>;
