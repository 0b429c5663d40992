import { z } from 'zod';
import { defineAction } from '@manifold/destination-kit';
import { batchedCapture, captureEvent, captureFields, captureMapping } from './capture';
import { posthogSettings } from './settings';

// Alias calls merge the previous id into the user with `$create_alias` (distinct_id = userId,
// alias = previousId).

const fields = z.object({
  ...captureFields,
  userId: z.string().min(1),
  previousId: z.string().min(1),
});

export const createAlias = defineAction(posthogSettings, {
  title: 'Create alias',
  description: 'Alias calls: merges previousId into userId.',
  fields,
  defaultMapping: { ...captureMapping, previousId: { '@path': '$.previousId' } },
  ...batchedCapture(fields, (payload, settings) =>
    captureEvent('$create_alias', payload, { alias: payload.previousId }, settings),
  ),
});
