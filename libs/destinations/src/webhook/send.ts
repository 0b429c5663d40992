import { createHmac } from 'node:crypto';
import { z } from 'zod';
import {
  defineAction,
  isPlainObject,
  lowerCaseKeys,
  USER_AGENT,
  type RequestDescriptor,
} from '@manifold/destination-kit';
import { webhookSettings, type WebhookSettings } from './settings';

const fields = z.object({
  // Checked in place: z.record would copy every property of every event it validates, and by
  // default this is the whole event. The JSON Schema (catalog) still says "object".
  data: z
    .custom<Record<string, unknown>>(isPlainObject, { message: 'data must be a JSON object' })
    .meta({ type: 'object', description: 'The JSON body; the whole Spec event by default.' }),
});

/**
 * Segment's webhook signature (libs/destinations/src/webhook/README.md#the-receivers-side): hex
 * HMAC-SHA1 of the JSON text; for a batch, of the first event only (Segment's documented quirk,
 * kept so receivers written for Segment verify ours).
 */
export function webhookSignature(secret: string, signedText: string): string {
  return createHmac('sha1', secret).update(signedText, 'utf8').digest('hex');
}

function request(settings: WebhookSettings, body: string, signedText: string): RequestDescriptor {
  const headers: Record<string, string> = {
    ...lowerCaseKeys(settings.headers),
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
  };
  if (settings.sharedSecret) headers['x-signature'] = webhookSignature(settings.sharedSecret, signedText);
  return { method: settings.method, url: settings.url, headers, body };
}

export const send = defineAction(webhookSettings, {
  title: 'Send',
  description: 'Sends the event as JSON to the configured URL.',
  fields,
  defaultMapping: { data: { '@path': '$.' } },
  perform: (payload, settings) => {
    const body = JSON.stringify(payload.data);
    return [request(settings, body, body)];
  },
  batch: {
    maxEvents: 1000,
    size: (settings) => settings.batchSize,
    perform: (payloads, settings) => {
      const body = JSON.stringify(payloads.map((p) => p.data));
      return [
        {
          ...request(settings, body, JSON.stringify(payloads[0]?.data)),
          itemEvents: payloads.map((_p, i) => i),
        },
      ];
    },
  },
});
