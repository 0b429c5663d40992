import { z } from 'zod';
import { defineAction } from '@manifold/destination-kit';
import { compact, record } from '../common/fields';
import { brazeGender } from './gender';
import { optionalNumber, optionalText } from './optional';
import { brazeSettings, type BrazeSettings } from './settings';
import { identity, usersTrackAction } from './users-track';

// Identify → one `attributes` object (Segment's updateUserProfile): the standard profile fields
// from traits and context, every other trait as a custom attribute.

const fields = z.object({
  externalId: optionalText(),
  email: optionalText(),
  brazeId: optionalText(),
  firstName: optionalText(),
  lastName: optionalText(),
  phone: optionalText(),
  gender: optionalText(),
  dob: optionalText().meta({ description: 'Birthday; sent as YYYY-MM-DD' }),
  homeCity: optionalText(),
  imageUrl: optionalText(),
  country: optionalText(),
  latitude: optionalNumber(),
  longitude: optionalNumber(),
  customAttributes: record(),
});

/**
 * Traits mapped to the standard fields above (or naming the user), never repeated as custom
 * attributes. Other traits pass through, so Braze's own snake_case attributes (email_subscribe,
 * push_subscribe, language, time_zone, …) keep their meaning.
 */
const MAPPED_TRAITS = [
  'email',
  'firstName',
  'first_name',
  'lastName',
  'last_name',
  'phone',
  'gender',
  'birthday',
  'dob',
  'avatar',
  'image_url',
  'home_city',
  'country',
  'current_location',
  'braze_id',
  'external_id',
  'user_alias',
  '_update_existing_only',
];

function dateOnly(value: string): string | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString().slice(0, 10);
}

function toObjects(payload: z.output<typeof fields>, settings: BrazeSettings): Record<string, unknown>[] {
  const custom = Object.fromEntries(
    Object.entries(payload.customAttributes).filter(([key]) => !MAPPED_TRAITS.includes(key)),
  );
  const location =
    payload.latitude !== undefined && payload.longitude !== undefined
      ? { latitude: payload.latitude, longitude: payload.longitude }
      : undefined;
  return [
    {
      ...custom,
      ...identity(payload, 'identify'),
      ...compact({
        first_name: payload.firstName,
        last_name: payload.lastName,
        phone: payload.phone,
        gender: payload.gender ? brazeGender(payload.gender) : undefined,
        dob: payload.dob ? dateOnly(payload.dob) : undefined,
        home_city: payload.homeCity,
        image_url: payload.imageUrl,
        country: payload.country,
        current_location: location,
      }),
      _update_existing_only: settings.updateExistingOnly,
    },
  ];
}

export const updateUserProfile = defineAction(brazeSettings, {
  title: 'Update user profile',
  description: 'Identify: sets standard profile fields and custom attributes from traits.',
  fields,
  defaultMapping: {
    externalId: { '@path': '$.userId' },
    email: { '@path': '$.traits.email' },
    brazeId: { '@path': '$.traits.braze_id' },
    firstName: {
      '@if': {
        exists: { '@path': '$.traits.firstName' },
        then: { '@path': '$.traits.firstName' },
        else: { '@path': '$.traits.first_name' },
      },
    },
    lastName: {
      '@if': {
        exists: { '@path': '$.traits.lastName' },
        then: { '@path': '$.traits.lastName' },
        else: { '@path': '$.traits.last_name' },
      },
    },
    phone: { '@path': '$.traits.phone' },
    gender: { '@path': '$.traits.gender' },
    dob: { '@path': '$.traits.birthday' },
    homeCity: { '@path': '$.traits.address.city' },
    imageUrl: { '@path': '$.traits.avatar' },
    country: { '@path': '$.context.location.country' },
    latitude: { '@path': '$.context.location.latitude' },
    longitude: { '@path': '$.context.location.longitude' },
    customAttributes: { '@path': '$.traits' },
  },
  ...usersTrackAction(fields, 'attributes', toObjects),
});
