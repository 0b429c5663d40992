// Table-case helpers shared by the destinations' tests.
import { translateEvent, type DestinationDefinition, type RequestDescriptor } from '@manifold/destination-kit';
import type { CallType, SpecEvent } from '@manifold/events';
import { parsed, specEvent, type TranslationCase } from './harness';

const SAMPLE: Record<CallType, SpecEvent> = {
  identify: specEvent({ type: 'identify', traits: { email: 'ann@example.com' } }),
  track: specEvent({ type: 'track', event: 'Tick' }),
  page: specEvent({ type: 'page', name: 'Home' }),
  screen: specEvent({ type: 'screen', name: 'Home' }),
  group: specEvent({ type: 'group', groupId: 'acme' }),
  alias: specEvent({ type: 'alias', previousId: 'anon-4d2b9c' }),
};

/** One case per call type the destination cannot take: dropped as UNSUPPORTED_EVENT_TYPE, the reason containing `message`. */
export function unsupportedCases(messages: Partial<Record<CallType, string>>): TranslationCase[] {
  return Object.entries(messages).map(([type, message]) => ({
    name: `${type} is dropped with the reason`,
    event: SAMPLE[type as CallType],
    expect: { drop: 'UNSUPPORTED_EVENT_TYPE', message },
  }));
}

/** The requests of one event under raw settings; throws when the event is not sent. */
export function requestsOf(
  destination: DestinationDefinition,
  event: SpecEvent,
  settings: Record<string, unknown>,
): RequestDescriptor[] {
  const translation = translateEvent(destination, event, parsed(destination, settings));
  if (translation.kind !== 'requests') throw new Error(JSON.stringify(translation));
  return translation.requests;
}
