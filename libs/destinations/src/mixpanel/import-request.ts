import { basicAuth, jsonRequest, joinUrl, type RequestDescriptor } from '@manifold/destination-kit';
import type { MixpanelImportEvent } from './event-properties';
import type { MixpanelSettings } from './settings';

const MAX_EVENTS_PER_REQUEST = 2000;

/**
 * /import requests for the events of several Spec events (`perEvent[i]` are the Mixpanel events
 * of payload i), split so none carries more than Mixpanel's 2000 events.
 */
export function importRequests(perEvent: MixpanelImportEvent[][], settings: MixpanelSettings): RequestDescriptor[] {
  const requests: RequestDescriptor[] = [];
  let events: MixpanelImportEvent[] = [];
  let itemEvents: number[] = [];
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
  };
  perEvent.forEach((list, index) => {
    for (const event of list) {
      if (events.length === MAX_EVENTS_PER_REQUEST) flush();
      events.push(event);
      itemEvents.push(index);
    }
  });
  flush();
  return requests;
}
