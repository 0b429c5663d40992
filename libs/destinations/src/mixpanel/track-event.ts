import { z } from 'zod';
import { defineAction } from '@manifold/destination-kit';
import { eventFields, eventMapping, importEvent } from './event-properties';
import { importRequests } from './import-request';
import { mixpanelSettings } from './settings';

export const trackEvent = defineAction(mixpanelSettings, {
  title: 'Track event',
  description: 'Imports track, page and screen calls as Mixpanel events (/import).',
  fields: z.object(eventFields),
  defaultMapping: eventMapping,
  perform: (payload, settings) => importRequests([[importEvent(payload)]], settings),
  batch: {
    maxEvents: 1000,
    perform: (payloads, settings) =>
      importRequests(
        payloads.map((p) => [importEvent(p)]),
        settings,
      ),
  },
});
