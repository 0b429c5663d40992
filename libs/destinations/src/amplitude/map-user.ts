import { z } from 'zod';
import { defineAction, formRequest, joinUrl } from '@manifold/destination-kit';
import { amplitudeSettings } from './settings';

export const mapUser = defineAction(amplitudeSettings, {
  title: 'Map user',
  description: 'Maps the previous id to the new user id (/usermap, Amplitude Portfolio).',
  fields: z.object({ user_id: z.string().min(1), global_user_id: z.string().min(1) }),
  defaultMapping: { user_id: { '@path': '$.previousId' }, global_user_id: { '@path': '$.userId' } },
  perform: (payload, settings) => [
    formRequest(joinUrl(settings.userMapBaseUrl, '/usermap'), {
      api_key: settings.apiKey,
      mapping: [{ user_id: payload.user_id, global_user_id: payload.global_user_id }],
    }),
  ],
});
