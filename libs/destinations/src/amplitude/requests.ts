import { formRequest, jsonRequest, joinUrl, type RequestDescriptor } from '@manifold/destination-kit';
import type { AmplitudeEvent } from './event-fields';
import type { AmplitudeSettings } from './settings';

/** One /2/httpapi (or /batch) request for the events of several Spec events (`perEvent[i]` from payload i). */
export function eventsRequest(perEvent: AmplitudeEvent[][], settings: AmplitudeSettings): RequestDescriptor {
  const events = perEvent.flat();
  const itemEvents = perEvent.flatMap((list, index) => list.map(() => index));
  return {
    ...jsonRequest('POST', joinUrl(settings.apiBaseUrl, settings.useBatchEndpoint ? '/batch' : '/2/httpapi'), {
      api_key: settings.apiKey,
      events,
      ...(settings.minIdLength !== undefined ? { options: { min_id_length: settings.minIdLength } } : {}),
    }),
    itemEvents,
  };
}

/** A form-encoded call of the identify family: `api_key`, one JSON field, and options when needed. */
export function formCall(
  baseUrl: string,
  path: string,
  field: string,
  value: unknown,
  settings: AmplitudeSettings,
): RequestDescriptor {
  return formRequest(joinUrl(baseUrl, path), {
    api_key: settings.apiKey,
    [field]: value,
    ...(settings.minIdLength !== undefined ? { options: { min_id_length: settings.minIdLength } } : {}),
  });
}
