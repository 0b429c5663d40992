import { z } from 'zod';
import { defineAction } from '@manifold/destination-kit';
import { compact } from '../common/fields';
import { deviceFields, eventFields, eventMapping, userProperties } from './event-fields';
import { formCall } from './requests';
import { amplitudeSettings } from './settings';

const { event_type: _type, ...fieldsWithoutType } = eventFields;
const { event_type: _typeMapping, event_properties: _props, ...mapping } = eventMapping;

export const identifyUser = defineAction(amplitudeSettings, {
  title: 'Identify user',
  description: 'Sets user properties from the traits (/identify).',
  fields: z.object(fieldsWithoutType),
  defaultMapping: { ...mapping, user_properties: { '@path': '$.traits' } },
  perform: (payload, settings) => {
    if (!payload.user_id && !payload.device_id) return [];
    const identification = {
      ...compact({ user_id: payload.user_id, device_id: payload.device_id }),
      user_properties: userProperties(payload) ?? {},
      ...deviceFields(payload),
    };
    return [formCall(settings.apiBaseUrl, '/identify', 'identification', identification, settings)];
  },
});
