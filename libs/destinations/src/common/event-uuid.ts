import { createHash } from 'node:crypto';

// PostHog keeps one copy of events that share their uuid (with the same event name, distinct_id
// and day), and HubSpot one occurrence of a custom event per uuid, so a retried event must carry
// the same uuid: it is derived from the messageId.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** UUIDv5 namespace of Manifold message ids (a fixed random UUID). */
const NAMESPACE = Buffer.from('6b3f0c52e1a94d0f9a57c1e2d3f4a5b6', 'hex');

/** The messageId itself when it is a UUID, else the UUIDv5 of it in Manifold's namespace. */
export function eventUuid(messageId: string): string {
  if (UUID.test(messageId)) return messageId.toLowerCase();
  const hash = createHash('sha1').update(NAMESPACE).update(messageId, 'utf8').digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50; // version 5
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80; // RFC 4122 variant
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
