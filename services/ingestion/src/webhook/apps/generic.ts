import { createHash } from 'node:crypto';
import { isPlainObject } from '@manifold/json';
import { resolveMapping, type MappingValue } from '@manifold/destination-kit';
import { header, type Translation, type WebhookApp } from '../delivery';
import { verifyGeneric } from '../signatures';

// A generic source: the user's mapping (the mapping kit's directives, as destination mappings
// use) is resolved against the delivery's JSON and gives the Spec call: `type` (track when the
// mapping gives none), `event`, `userId`, `properties`, ... A delivery the mapping gives no
// messageId is known by a hash of its bytes, so the same delivery sent again is one event.

export const generic: WebhookApp = {
  verify: (headers, raw, secret) => verifyGeneric(header(headers, 'x-signature-256'), raw, secret),

  translate({ payload, raw }, mapping): Translation {
    if (!mapping) return { ignored: 'unmapped' };
    const resolved = resolveMapping(mapping as MappingValue, payload);
    const call = isPlainObject(resolved) ? { ...resolved } : {};
    if (call['type'] === undefined) call['type'] = 'track';
    if (call['messageId'] === undefined || call['messageId'] === '') {
      call['messageId'] = `webhook-${createHash('sha256').update(raw).digest('hex').slice(0, 32)}`;
    }
    return { calls: [call] };
  },
};
