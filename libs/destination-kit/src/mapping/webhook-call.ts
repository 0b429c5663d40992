import { createHash } from 'node:crypto';
import { isPlainObject } from '@manifold/json';
import { resolveMapping, type MappingValue } from './resolve';

/**
 * The Spec call a generic webhook source makes of one delivery: its mapping (the mapping kit's
 * directives, as destination mappings use) resolved against the delivery's JSON; `type` is
 * `track` when the mapping gives none, and a delivery the mapping gives no messageId is known by
 * a hash of its bytes, so the same delivery sent again is one event. Ingestion runs it on every
 * delivery, the control plane on a sample (the console's preview), so both give the same call.
 * Throws MappingError when a directive fails on this payload.
 */
export function webhookCall(
  mapping: MappingValue,
  payload: Record<string, unknown>,
  raw: Buffer | string,
): Record<string, unknown> {
  const resolved = resolveMapping(mapping, payload);
  const call = isPlainObject(resolved) ? { ...resolved } : {};
  if (call['type'] === undefined) call['type'] = 'track';
  if (call['messageId'] === undefined || call['messageId'] === '') {
    call['messageId'] = `webhook-${createHash('sha256').update(raw).digest('hex').slice(0, 32)}`;
  }
  return call;
}
