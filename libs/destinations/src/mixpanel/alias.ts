import { z } from 'zod';
import { defineAction, formRequest, joinUrl } from '@manifold/destination-kit';
import { coalesce } from '../common/fields';
import { mixpanelSettings } from './settings';

export const createAlias = defineAction(mixpanelSettings, {
  title: 'Create alias',
  description: 'Links the previous id to the new one ($create_alias on /track; legacy and original ID merge projects).',
  fields: z.object({ previous_id: z.string().min(1), alias: z.string().min(1) }),
  defaultMapping: { previous_id: { '@path': '$.previousId' }, alias: coalesce('$.userId', '$.anonymousId') },
  perform: (payload, settings) => [
    formRequest(joinUrl(settings.apiBaseUrl, '/track', { verbose: '1' }), {
      data: {
        event: '$create_alias',
        properties: { distinct_id: payload.previous_id, alias: payload.alias, token: settings.projectToken },
      },
    }),
  ],
});
