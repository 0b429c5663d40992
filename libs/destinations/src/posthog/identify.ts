import { z } from 'zod';
import { compact, record } from '../common/fields';
import { defineAction, joinUrl, jsonRequest } from '@manifold/destination-kit';
import { captureEvent, captureFields, captureMapping, DISTINCT_ID_MESSAGE, hasDistinctId } from './capture';
import { posthogSettings } from './settings';

// Identify calls set person properties with `$identify` on /i/v0/e/ (Segment's preset), merging
// the anonymous id into the user ($anon_distinct_id). A visitor without userId gets a `$set`
// event instead: `$identify` would mark the anonymous id as an identified user.

const fields = z.object({ ...captureFields, traits: record() }).refine(hasDistinctId, { message: DISTINCT_ID_MESSAGE });

export const identify = defineAction(posthogSettings, {
  title: 'Identify',
  description: 'Identify calls: sets the person properties, merging the anonymous id into the user.',
  fields,
  defaultMapping: { ...captureMapping, traits: { '@path': '$.traits' } },
  perform: (payload, settings) => {
    const identified = payload.userId !== undefined;
    const event = captureEvent(
      identified ? '$identify' : '$set',
      payload,
      { $set: payload.traits, ...compact({ $anon_distinct_id: identified ? payload.anonymousId : undefined }) },
      settings,
      false,
    );
    const { properties, ...rest } = event as { properties: Record<string, unknown> };
    const { distinct_id: distinctId, ...otherProperties } = properties;
    return [
      jsonRequest('POST', joinUrl(settings.apiBaseUrl, '/i/v0/e/'), {
        api_key: settings.apiKey,
        ...rest,
        distinct_id: distinctId,
        properties: otherProperties,
      }),
    ];
  },
});
