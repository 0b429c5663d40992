import { z } from 'zod';
import { defineAction } from '@manifold/destination-kit';
import { record } from '../common/fields';
import {
  batchedCapture,
  captureEvent,
  captureFields,
  captureMapping,
  DISTINCT_ID_MESSAGE,
  hasDistinctId,
} from './capture';
import { posthogSettings } from './settings';

// Group calls create or update the group with `$groupidentify` ($group_type from the settings,
// $group_key = groupId, $group_set = traits).

const fields = z
  .object({
    ...captureFields,
    groupKey: z.union([z.string(), z.number()]).transform(String).pipe(z.string().min(1).max(400)),
    traits: record(),
  })
  .refine(hasDistinctId, { message: DISTINCT_ID_MESSAGE });

export const groupIdentify = defineAction(posthogSettings, {
  title: 'Identify group',
  description: 'Group calls: creates or updates the group and its properties.',
  fields,
  defaultMapping: { ...captureMapping, groupKey: { '@path': '$.groupId' }, traits: { '@path': '$.traits' } },
  ...batchedCapture(fields, (payload, settings) =>
    captureEvent(
      '$groupidentify',
      payload,
      { $group_type: settings.groupType, $group_key: payload.groupKey, $group_set: payload.traits },
      settings,
    ),
  ),
});
