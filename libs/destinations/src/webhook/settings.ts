import { z } from 'zod';
import { secret, secretValues } from '@manifold/destination-kit';

export const webhookSettings = z.object({
  url: z.url({ protocol: /^https?$/ }).meta({ title: 'Webhook URL', description: 'Where every event is sent.' }),
  method: z.enum(['POST', 'PUT', 'PATCH']).default('POST').meta({ title: 'HTTP method' }),
  // Header values are credentials (Authorization: Bearer …); the URL is one too (every URL
  // setting is): tokens in its path or query are masked wherever it is shown.
  headers: secretValues(z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/), z.string().regex(/^[\x20-\x7e]*$/)))
    .default({})
    .meta({
      title: 'Headers',
      description: 'Extra headers sent with every request (ASCII). Values are kept secret: shown back masked.',
    }),
  sharedSecret: secret(
    z.string().min(1),
    'When set, requests carry X-Signature: hex HMAC-SHA1 of the body with this secret.',
  ).optional(),
  batchSize: z.number().int().min(0).max(1000).default(0).meta({
    title: 'Batch size',
    description: 'Events per request as a JSON array; 0 or 1 sends one event per request.',
  }),
});

export type WebhookSettings = z.output<typeof webhookSettings>;
