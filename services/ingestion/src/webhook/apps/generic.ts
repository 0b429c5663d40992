import { webhookCall, type MappingValue } from '@manifold/destination-kit';
import { header, type Translation, type WebhookApp } from '../delivery';
import { verifyGeneric } from '../signatures';

// A generic source: the user's mapping is resolved against the delivery's JSON and gives the Spec
// call (`webhookCall`, which the control plane also runs for the console's preview of a mapping).

export const generic: WebhookApp = {
  verify: (headers, raw, secret) => verifyGeneric(header(headers, 'x-signature-256'), raw, secret),

  translate({ payload, raw }, mapping): Translation {
    if (!mapping) return { ignored: 'unmapped' };
    return { calls: [webhookCall(mapping as MappingValue, payload, raw)] };
  },
};
