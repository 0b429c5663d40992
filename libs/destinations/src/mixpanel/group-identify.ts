import { z } from 'zod';
import { defineAction, formRequest, joinUrl } from '@manifold/destination-kit';
import { record } from '../common/fields';
import { mixpanelSettings } from './settings';

const fields = z.object({
  group_id: z.string().min(1),
  traits: record(),
});

function groupProperties(traits: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(traits)) {
    if (key === 'name') out['$name'] = value;
    else if (key === 'created' || key === 'createdAt' || key === 'created_at') out['$created'] = value;
    else out[key] = value;
  }
  return out;
}

export const groupIdentifyUser = defineAction(mixpanelSettings, {
  title: 'Group identify',
  description: 'Sets the group traits on the Mixpanel group profile (/groups).',
  fields,
  defaultMapping: { group_id: { '@path': '$.groupId' }, traits: { '@path': '$.traits' } },
  perform: (payload, settings) => {
    // Mixpanel refuses an empty $set: a group call without traits has nothing to update.
    if (Object.keys(payload.traits).length === 0) return [];
    const keyed = payload.traits[settings.groupKey];
    return [
      formRequest(joinUrl(settings.apiBaseUrl, '/groups', { verbose: '1' }), {
        data: {
          $token: settings.projectToken,
          $group_key: settings.groupKey,
          $group_id: typeof keyed === 'string' || typeof keyed === 'number' ? keyed : payload.group_id,
          $set: groupProperties(payload.traits),
        },
      }),
    ];
  },
});
