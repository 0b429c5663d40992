import { formRequest, jsonRequest, joinUrl, type RequestDescriptor } from '@manifold/destination-kit';
import type { AmplitudeEvent } from './event-fields';
import type { AmplitudeSettings } from './settings';

/** Amplitude refuses a whole request of 2000 events or more (413). */
const MAX_EVENTS_PER_REQUEST = 1999;
/** Nor a body of 1 MB or more on /2/httpapi, 20 MB on /batch (413): requests are cut below, with room for the rest. */
const MAX_EVENTS_BYTES = { httpapi: 1024 * 1024 - 8 * 1024, batch: 20 * 1024 * 1024 - 64 * 1024 };

/**
 * /2/httpapi (or /batch) requests for the events of several Spec events (`perEvent[i]` from
 * payload i), cut so none reaches Amplitude's 2000 events or its body limit: a 413 would refuse
 * every event of the request.
 */
export function eventsRequests(perEvent: AmplitudeEvent[][], settings: AmplitudeSettings): RequestDescriptor[] {
  const url = joinUrl(settings.apiBaseUrl, settings.useBatchEndpoint ? '/batch' : '/2/httpapi');
  const maxBytes = MAX_EVENTS_BYTES[settings.useBatchEndpoint ? 'batch' : 'httpapi'];
  const requests: RequestDescriptor[] = [];
  let events: AmplitudeEvent[] = [];
  let itemEvents: number[] = [];
  let bytes = 0;
  const flush = () => {
    if (events.length === 0) return;
    requests.push({
      ...jsonRequest('POST', url, {
        api_key: settings.apiKey,
        events,
        ...(settings.minIdLength !== undefined ? { options: { min_id_length: settings.minIdLength } } : {}),
      }),
      itemEvents,
    });
    events = [];
    itemEvents = [];
    bytes = 0;
  };
  perEvent.forEach((list, index) => {
    for (const event of list) {
      const size = Buffer.byteLength(JSON.stringify(event)) + 1;
      if (events.length === MAX_EVENTS_PER_REQUEST || bytes + size > maxBytes) flush();
      events.push(event);
      itemEvents.push(index);
      bytes += size;
    }
  });
  flush();
  return requests;
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
