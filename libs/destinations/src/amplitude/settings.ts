import { z } from 'zod';
import { secret } from '@manifold/destination-kit';

export const amplitudeSettings = z.object({
  apiKey: secret(z.string().min(1), 'Project API key (sent in the request body, as Amplitude requires).'),
  apiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .default('https://api2.amplitude.com')
    .meta({ description: 'Event ingestion: https://api2.amplitude.com (US) or https://api.eu.amplitude.com (EU).' }),
  userMapBaseUrl: z
    .url({ protocol: /^https?$/ })
    .default('https://api.amplitude.com')
    .meta({
      description: 'User mapping (alias): https://api.amplitude.com (US) or https://api.eu.amplitude.com (EU).',
    }),
  useBatchEndpoint: z.boolean().default(false).meta({ description: 'Send events to /batch instead of /2/httpapi.' }),
  minIdLength: z
    .number()
    .int()
    .min(1)
    .optional()
    .meta({ description: 'Override of the 5-character minimum id length.' }),
  groupType: z
    .string()
    .min(1)
    .default('group')
    .meta({ description: 'Amplitude group type of group calls; the group value is the groupId.' }),
});

export type AmplitudeSettings = z.output<typeof amplitudeSettings>;
