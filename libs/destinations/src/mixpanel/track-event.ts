import { z } from 'zod';
import { defineAction, type Notices } from '@manifold/destination-kit';
import { eventFields, eventMapping, importEvent } from './event-properties';
import { importRequests } from './import-request';
import { mixpanelSettings } from './settings';

export const trackEvent = defineAction(mixpanelSettings, {
  title: 'Track event',
  description: 'Imports track, page and screen calls as Mixpanel events (/import).',
  fields: z.object(eventFields),
  defaultMapping: eventMapping,
  perform: (payload, settings, notices) => importRequests([[importEvent(payload, notices)]], settings),
  batch: {
    maxEvents: 1000,
    perform: (payloads, settings, notices) =>
      importRequests(
        payloads.map((p, i) => [importEvent(p, notices[i] as Notices)]),
        settings,
      ),
  },
});
