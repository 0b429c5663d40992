import { z } from 'zod';
import { defineAction, formRequest, joinUrl, type RequestDescriptor } from '@manifold/destination-kit';
import { record, soft } from '../common/fields';
import { mixpanelSettings } from './settings';

const fields = z.object({
  user_id: soft.string(),
  anonymous_id: soft.string(),
  ip: soft.string(),
  traits: record(),
});

/**
 * Segment's renames of reserved traits to Mixpanel's `$` properties
 * (libs/destinations/src/mixpanel/README.md#call-types).
 */
export function profileProperties(traits: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(traits)) {
    if (key === 'created' || key === 'createdAt' || key === 'created_at') out['$created'] = value;
    else if (key === 'email') out['$email'] = value;
    else if (key === 'firstName' || key === 'first_name') out['$first_name'] = value;
    else if (key === 'lastName' || key === 'last_name') out['$last_name'] = value;
    else if (key === 'name') out['$name'] = value;
    else if (key === 'username') out['$username'] = value;
    else if (key === 'phone') out['$phone'] = value;
    else out[key] = value;
  }
  if (out['$name'] === undefined && (traits['firstName'] !== undefined || traits['lastName'] !== undefined)) {
    out['$name'] = [traits['firstName'], traits['lastName']].filter((v) => typeof v === 'string' && v).join(' ');
  }
  return out;
}

export const identifyUser = defineAction(mixpanelSettings, {
  title: 'Identify user',
  description:
    'Merges the anonymous id into the user ($identify on /track) and sets the traits on the user profile (/engage).',
  fields,
  defaultMapping: {
    user_id: { '@path': '$.userId' },
    anonymous_id: { '@path': '$.anonymousId' },
    ip: { '@path': '$.context.ip' },
    traits: { '@path': '$.traits' },
  },
  perform: (payload, settings) => {
    const requests: RequestDescriptor[] = [];
    if (payload.user_id && payload.anonymous_id) {
      requests.push(
        formRequest(joinUrl(settings.apiBaseUrl, '/track', { verbose: '1' }), {
          data: {
            event: '$identify',
            properties: {
              $identified_id: payload.user_id,
              $anon_id: payload.anonymous_id,
              token: settings.projectToken,
            },
          },
        }),
      );
    }
    const distinctId = payload.user_id || payload.anonymous_id;
    if (distinctId && Object.keys(payload.traits).length > 0) {
      requests.push(
        formRequest(joinUrl(settings.apiBaseUrl, '/engage', { verbose: '1', ip: payload.ip ? undefined : '0' }), {
          data: {
            $token: settings.projectToken,
            $distinct_id: distinctId,
            ...(payload.ip ? { $ip: payload.ip } : {}),
            $set: profileProperties(payload.traits),
          },
        }),
      );
    }
    return requests;
  },
});
