import { z } from 'zod';
import { defineAction } from '@manifold/destination-kit';
import { amplitudeEvent, eventFields, eventMapping } from './event-fields';
import { eventsRequest } from './requests';
import { amplitudeSettings } from './settings';

export const logEvent = defineAction(amplitudeSettings, {
  title: 'Log event',
  description: 'Sends track, page and screen calls as Amplitude events (/2/httpapi).',
  fields: z.object(eventFields),
  defaultMapping: eventMapping,
  perform: (payload, settings) => [eventsRequest([[amplitudeEvent(payload)]], settings)],
  batch: {
    // Amplitude refuses a whole request for one bad event, so batches stay small (limit 2000).
    maxEvents: 100,
    perform: (payloads, settings) => [
      eventsRequest(
        payloads.map((p) => [amplitudeEvent(p)]),
        settings,
      ),
    ],
  },
});
