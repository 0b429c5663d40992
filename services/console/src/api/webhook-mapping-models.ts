// The Public API's shapes for previewing a generic webhook source's mapping on a sample delivery.
import { z } from 'zod';
import { model } from './models';

export const WebhookMappingPreviewBody = model(
  'WebhookMappingPreviewBody',
  z.object({
    mapping: z
      .record(z.string(), z.unknown())
      .describe("The mapping (mapping-kit directives) from a delivery's JSON to a Spec call, as webhook.mapping"),
    payload: z
      .string()
      .max(1 << 20)
      .describe("A sample delivery's body: a JSON object, as the app sends it"),
  }),
);

export const WebhookMappingPreview = model(
  'WebhookMappingPreview',
  z.object({
    call: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe('The Spec call ingestion would make of the delivery (before receivedAt, context, ...)'),
    error: z.string().describe('Why the mapping failed on this payload; empty when it gave a call'),
  }),
  "What a generic webhook source's mapping makes of a sample delivery, by the code ingestion runs",
);
