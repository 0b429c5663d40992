import { z } from 'zod';
import { defineAction, DropEventError, type RequestDescriptor } from '@manifold/destination-kit';
import { coalesce, isoDateTime, optionalText, record } from '../common/fields';
import { kissmetricsSettings } from './settings';
import { KM_NAME, trackingRequest, unixSeconds } from './tracking-request';
import { kmProperties } from './values';

// Identify and group calls as person properties (`/s`). Identify then ties the anonymousId to the
// userId (`/a`), as Segment did, so the visitor's earlier events join the person. Group calls set
// the group's traits on the calling person, each named "Group - <trait>", with "Group - id".

const fields = z.object({
  identity: KM_NAME,
  timestamp: isoDateTime(),
  traits: record(),
  propertyPrefix: optionalText(),
  groupId: optionalText(),
  /** The other id of the person, aliased to the identity when both exist. */
  alsoKnownAs: optionalText(),
});

export const setProperties = defineAction(kissmetricsSettings, {
  title: 'Set properties',
  description: 'Sets identify traits (and group traits, prefixed) as Kissmetrics person properties.',
  fields,
  defaultMapping: {
    identity: coalesce('$.userId', '$.anonymousId'),
    timestamp: { '@path': '$.timestamp' },
    traits: { '@path': '$.traits' },
  },
  perform: (payload, settings, notices) => {
    const prefix = payload.propertyPrefix ?? '';
    const properties = kmProperties(payload.traits, 'traits', notices, prefix);
    if (payload.groupId !== undefined) properties[`${prefix}id`] = payload.groupId;
    const requests: RequestDescriptor[] = [];
    if (Object.keys(properties).length > 0) {
      const params = { _p: payload.identity, _t: unixSeconds(payload.timestamp), _d: '1', ...properties };
      requests.push(trackingRequest('/s', params, settings));
    }
    const other = payload.alsoKnownAs;
    if (other !== undefined && other !== payload.identity && other.length <= 255) {
      requests.push(trackingRequest('/a', { _p: payload.identity, _n: other }, settings));
    }
    if (requests.length === 0) throw new DropEventError('NOTHING_TO_SEND', 'no traits to set and no other id to alias');
    return requests;
  },
});

export const alias = defineAction(kissmetricsSettings, {
  title: 'Alias',
  description: 'Joins the previous id and the userId into one Kissmetrics person (irreversible).',
  fields: z.object({ previousId: KM_NAME, userId: KM_NAME }),
  defaultMapping: { previousId: { '@path': '$.previousId' }, userId: { '@path': '$.userId' } },
  perform: (payload, settings) => [trackingRequest('/a', { _p: payload.previousId, _n: payload.userId }, settings)],
});
