import { isPlainObject } from '@manifold/destination-kit';
import { CALL_TYPES, isCallType, type SpecEvent } from '@manifold/events';
import { randomUUID } from 'node:crypto';
import { ControlPlaneError } from './errors';

/**
 * The event a user gives the mapping tester, as the translators would read it: a Spec event
 * whose `type` is a call type. What ingestion would have added and a pasted event may lack (a
 * messageId, timestamps, empty context and integrations) is filled in; nothing else is changed.
 */
export function testEvent(raw: unknown, now: Date): SpecEvent {
  if (!isPlainObject(raw)) throw ControlPlaneError.invalid([{ field: 'event', message: 'is required: a Spec event' }]);
  if (!isCallType(raw['type'])) {
    throw ControlPlaneError.invalid([{ field: 'event.type', message: `is one of ${CALL_TYPES.join(', ')}` }]);
  }
  const at = now.toISOString();
  const text = (key: string, fallback: string) => (typeof raw[key] === 'string' ? (raw[key] as string) : fallback);
  return {
    ...raw,
    type: raw['type'],
    messageId: text('messageId', `test-${randomUUID()}`),
    timestamp: text('timestamp', at),
    receivedAt: text('receivedAt', at),
    context: isPlainObject(raw['context']) ? raw['context'] : {},
    integrations: isPlainObject(raw['integrations']) ? (raw['integrations'] as SpecEvent['integrations']) : {},
  };
}
