import { z } from 'zod';
import { secret } from '@manifold/destination-kit';

const addon = (title: string, description: string) => z.boolean().default(false).meta({ title, description });
const pages = (title: string, description: string, on: boolean) => z.boolean().default(on).meta({ title, description });

export const keenSettings = z.object({
  projectId: z
    .string()
    .regex(/^[A-Za-z0-9]+$/, 'a Keen project id is letters and digits')
    .meta({ title: 'Project ID', description: 'The id of the Keen project (in its URL and settings).' }),
  writeKey: secret(z.string().min(1), 'Write key of the project (or an access key allowed to write).'),
  apiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .default('https://api.keen.io')
    .meta({ title: 'Keen host', description: 'https://api.keen.io unless Keen gave you another.' }),
  ipAddon: addon('IP to geo add-on', 'Keen adds ip_geo_info (location) from ip_address.'),
  uaAddon: addon('User agent add-on', 'Keen adds parsed_user_agent (browser, OS, device) from user_agent.'),
  urlAddon: addon('URL add-on', 'Keen adds parsed_page_url (protocol, domain, path, …) from page_url.'),
  referrerAddon: addon(
    'Referrer add-on',
    'Keen adds referrer_info (medium, source, search terms) from referrer_url and page_url.',
  ),
  trackAllPages: pages(
    'Track all pages',
    'Records every page call as "Loaded a Page" (screens: "Loaded a Screen").',
    false,
  ),
  trackNamedPages: pages(
    'Track named pages',
    'Records page calls with a name as "Viewed <category> <name> Page".',
    true,
  ),
  trackCategorizedPages: pages(
    'Track categorized pages',
    'Records page calls with a category as "Viewed <category> Page".',
    true,
  ),
  batchSize: z.number().int().min(1).max(1000).default(100).meta({
    title: 'Batch size',
    description: 'Events per multiple-events request (1 sends one event per request).',
  }),
});

export type KeenSettings = z.output<typeof keenSettings>;
