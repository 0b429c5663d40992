import { z } from 'zod';
import { defineAction } from '@manifold/destination-kit';
import { amplitudeEvent, eventFields, eventMapping } from './event-fields';
import { eventsRequests } from './requests';
import { amplitudeSettings } from './settings';

export const logEvent = defineAction(amplitudeSettings, {
  title: 'Log event',
  description: 'Sends track, page and screen calls as Amplitude events (/2/httpapi).',
  fields: z.object(eventFields),
  defaultMapping: eventMapping,
  perform: (payload, settings) => eventsRequests([[amplitudeEvent(payload)]], settings),
  batch: {
    // Amplitude refuses a whole request for one bad event, so batches stay small (limit 2000).
    maxEvents: 100,
    perform: (payloads, settings) =>
      eventsRequests(
        payloads.map((p) => [amplitudeEvent(p)]),
        settings,
      ),
  },
});
