import { z } from 'zod';
import { defineAction } from '@manifold/destination-kit';
import { coalesce, record } from '../common/fields';
import { bulkAction } from './bulk';
import { heapUserProperties } from './properties';
import { heapSettings } from './settings';
import { IDENTITY } from './track-event';

// Identify calls: the traits as user properties of the identity (userId, else anonymousId, as for
// events), with the anonymousId among them so both ids of a person stay findable.

const fields = z.object({
  identity: IDENTITY,
  anonymousId: z.string().nullish(),
  traits: record(),
});

export const addUserProperties = defineAction(heapSettings, {
  title: 'Add user properties',
  description: 'Sets the traits of identify calls as Heap user properties.',
  fields,
  defaultMapping: {
    identity: coalesce('$.userId', '$.anonymousId'),
    anonymousId: { '@path': '$.anonymousId' },
    traits: { '@path': '$.traits' },
  },
  ...bulkAction(fields, (payload, notices) => {
    const withAnonymousId =
      payload.anonymousId && payload.anonymousId !== payload.identity
        ? { anonymous_id: payload.anonymousId, ...payload.traits }
        : payload.traits;
    return {
      users: { identity: payload.identity, properties: heapUserProperties(withAnonymousId, 'properties', notices) },
    };
  }),
});
