import { z } from 'zod';
import { defineAction, lenient } from '@manifold/destination-kit';
import { brazeSettings, type BrazeSettings } from './settings';
import { identity, usersTrackAction, type TrackObject } from './users-track';
import { optionalText } from '../common/fields';

// Group → the custom attribute `ab_segment_group_<groupId>: true` on the user: Braze has no
// groups, and this is how Segment's Braze destination records a group call.

const fields = z.object({
  externalId: optionalText(),
  email: lenient.email(),
  groupId: z.union([z.string().min(1), z.number()]).transform(String),
});

function toObjects(payload: z.output<typeof fields>, settings: BrazeSettings): TrackObject[] {
  return [
    {
      array: 'attributes',
      object: {
        ...identity(payload, 'group'),
        [`ab_segment_group_${payload.groupId}`]: true,
        _update_existing_only: settings.updateExistingOnly,
      },
    },
  ];
}

export const groupMembership = defineAction(brazeSettings, {
  title: 'Record group membership',
  description: 'Group: sets ab_segment_group_<groupId> = true on the user.',
  fields,
  defaultMapping: {
    externalId: { '@path': '$.userId' },
    email: { '@path': '$.context.traits.email' },
    groupId: { '@path': '$.groupId' },
  },
  ...usersTrackAction(fields, toObjects),
});
