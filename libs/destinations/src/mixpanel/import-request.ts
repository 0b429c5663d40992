import { basicAuth, jsonRequest, joinUrl, type RequestDescriptor } from '@manifold/destination-kit';
import type { MixpanelImportEvent } from './event-properties';
import type { MixpanelSettings } from './settings';

const MAX_EVENTS_PER_REQUEST = 2000;
/** Mixpanel refuses a whole /import request of more than 10 MB (413); requests are cut below. */
const MAX_BODY_BYTES = 10 * 1024 * 1024 - 64 * 1024;

/**
 * /import requests for the events of several Spec events (`perEvent[i]` are the Mixpanel events
 * of payload i), split so none carries more than Mixpanel's 2000 events or 10 MB.
 */
export function importRequests(perEvent: MixpanelImportEvent[][], settings: MixpanelSettings): RequestDescriptor[] {
  const requests: RequestDescriptor[] = [];
  let events: MixpanelImportEvent[] = [];
  let itemEvents: number[] = [];
  let bytes = 2;
  const flush = () => {
    if (events.length === 0) return;
    requests.push({
      ...jsonRequest(
        'POST',
        joinUrl(settings.apiBaseUrl, '/import', { strict: settings.strictMode ? '1' : '0' }),
        events,
        { authorization: basicAuth(settings.apiSecret ?? settings.projectToken) },
      ),
      itemEvents,
    });
    events = [];
    itemEvents = [];
    bytes = 2;
  };
  perEvent.forEach((list, index) => {
    for (const event of list) {
      // An event over Mixpanel's 1 MB per event is refused alone, as a failed record of its request.
      const size = Buffer.byteLength(JSON.stringify(event)) + 1;
      if (events.length === MAX_EVENTS_PER_REQUEST || bytes + size > MAX_BODY_BYTES) flush();
      events.push(event);
      bytes += size;
      itemEvents.push(index);
    }
  });
  flush();
  return requests;
}
