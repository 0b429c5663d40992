import { z } from 'zod';
import { defineAction, lenient, type Notices } from '@manifold/destination-kit';
import { record } from '../common/fields';
import { bulkAction } from './bulk';
import { dataFields } from './data-fields';
import { identity, identityFields } from './identity';
import { iterableSettings } from './settings';

// Identify → users/update (users/bulkUpdate when batched), Segment's updateUser: the traits as
// the user's dataFields (nested objects merged into what Iterable has), the phone as
// `phoneNumber`, a user without email created by userId (preferUserId).

const fields = z.object({
  ...identityFields,
  phoneNumber: lenient.phone(),
  traits: record(),
});

type UserPayload = z.output<typeof fields>;

/** Traits sent as identifiers or renamed, not repeated in dataFields. */
const MOVED_TRAITS = ['email', 'phone'];

function userItem(payload: UserPayload, notices: Notices): Record<string, unknown> {
  const traits = Object.fromEntries(Object.entries(payload.traits).filter(([key]) => !MOVED_TRAITS.includes(key)));
  return {
    ...identity(payload, 'identify'),
    dataFields: {
      ...dataFields(traits, 'dataFields', notices),
      ...(payload.phoneNumber ? { phoneNumber: payload.phoneNumber } : {}),
    },
    preferUserId: true,
    mergeNestedObjects: true,
  };
}

export const updateUser = defineAction(iterableSettings, {
  title: 'Update user',
  description: 'Identify: creates or updates the user with the traits as data fields.',
  fields,
  defaultMapping: {
    email: { '@path': '$.traits.email' },
    userId: { '@path': '$.userId' },
    phoneNumber: { '@path': '$.traits.phone' },
    traits: { '@path': '$.traits' },
  },
  ...bulkAction<UserPayload>('/api/users/update', '/api/users/bulkUpdate', 'users', userItem),
});
