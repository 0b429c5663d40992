import { z } from 'zod';
import { secret } from '@manifold/destination-kit';

export const heapSettings = z.object({
  appId: secret(z.string().min(1), 'Environment ID (app_id) of the Heap project environment, from Heap’s settings.'),
  apiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .default('https://heapanalytics.com')
    .meta({
      title: 'Heap host',
      description: 'https://heapanalytics.com (US data centre) or https://c.eu.heap-api.com (EU data centre).',
    }),
  batchSize: z.number().int().min(1).max(1000).default(100).meta({
    title: 'Batch size',
    description: 'Events, users or accounts per bulk request (1 sends one per request; Heap takes up to 1000).',
  }),
});

export type HeapSettings = z.output<typeof heapSettings>;
