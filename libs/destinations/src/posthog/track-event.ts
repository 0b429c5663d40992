import { z } from 'zod';
import { defineAction } from '@manifold/destination-kit';
import { compact, record, optionalText } from '../common/fields';
import {
  batchedCapture,
  captureEvent,
  captureFields,
  captureMapping,
  DISTINCT_ID_MESSAGE,
  hasDistinctId,
} from './capture';
import { posthogSettings } from './settings';

// Track, page and screen calls: a named event, `$pageview` with `$current_url`, or `$screen`
// with `$screen_name` (Segment's presets), through /batch/.

const fields = z
  .object({
    ...captureFields,
    event: z.string().min(1),
    properties: record(),
    currentUrl: optionalText().meta({ description: '$current_url (page views)' }),
    screenName: optionalText().meta({ description: '$screen_name (screen views)' }),
  })
  .refine(hasDistinctId, { message: DISTINCT_ID_MESSAGE })
  .refine((p) => p.event !== '$pageview' || p.currentUrl !== undefined, {
    message: '$pageview needs a page URL ($current_url)',
    path: ['currentUrl'],
  })
  .refine((p) => p.event !== '$screen' || p.screenName !== undefined, {
    message: '$screen needs a screen name ($screen_name)',
    path: ['screenName'],
  });

export const trackEvent = defineAction(posthogSettings, {
  title: 'Capture event',
  description: 'Track, page and screen calls as PostHog events ($pageview and $screen for views).',
  fields,
  defaultMapping: {
    ...captureMapping,
    event: { '@path': '$.event' },
    properties: { '@path': '$.properties' },
  },
  ...batchedCapture(fields, (payload, settings) =>
    captureEvent(
      payload.event,
      payload,
      { ...payload.properties, ...compact({ $current_url: payload.currentUrl, $screen_name: payload.screenName }) },
      settings,
    ),
  ),
});
