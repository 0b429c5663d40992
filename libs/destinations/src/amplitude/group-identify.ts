import { z } from 'zod';
import { defineAction } from '@manifold/destination-kit';
import { coalesce, compact, record, soft } from '../common/fields';
import { formCall } from './requests';
import { amplitudeSettings } from './settings';

export const groupIdentifyUser = defineAction(amplitudeSettings, {
  title: 'Group identify',
  description: 'Puts the user in the group (/identify) and sets the group properties (/groupidentify).',
  fields: z.object({
    user_id: soft.string(),
    device_id: soft.string(),
    group_value: z.string().min(1),
    group_properties: record(),
  }),
  defaultMapping: {
    user_id: { '@path': '$.userId' },
    device_id: coalesce('$.context.device.id', '$.anonymousId'),
    group_value: { '@path': '$.groupId' },
    group_properties: { '@path': '$.traits' },
  },
  perform: (payload, settings) => {
    const type = settings.groupType;
    const requests = [];
    if (payload.user_id || payload.device_id) {
      requests.push(
        formCall(
          settings.apiBaseUrl,
          '/identify',
          'identification',
          {
            ...compact({ user_id: payload.user_id, device_id: payload.device_id }),
            groups: { [type]: payload.group_value },
            user_properties: { [type]: payload.group_value },
          },
          settings,
        ),
      );
    }
    requests.push(
      formCall(
        settings.apiBaseUrl,
        '/groupidentify',
        'identification',
        [{ group_type: type, group_value: payload.group_value, group_properties: payload.group_properties }],
        settings,
      ),
    );
    return requests;
  },
});
