import { z } from 'zod';
import { coerce, defineAction, lenient, type Notices } from '@manifold/destination-kit';
import { compact, record, optionalText } from '../common/fields';
import { brazeGender } from './gender';
import { keyProblem } from './properties';
import { brazeSettings, type BrazeSettings } from './settings';
import { identity, usersTrackAction, type TrackObject } from './users-track';

// Identify → one `attributes` object (Segment's updateUserProfile): the standard profile fields
// from traits and context, every other trait as a custom attribute. Values of another type are
// converted when lossless (a phone number sent as a number becomes its digits); a field Braze
// cannot take (a gender it has no letter for, a birthday that is not a date, an attribute name
// starting with `$`) is left out with a notice, and the rest of the profile is sent.

const fields = z.object({
  externalId: optionalText(),
  email: lenient.email(),
  brazeId: lenient.string(),
  firstName: lenient.string(),
  lastName: lenient.string(),
  phone: lenient.phone(),
  gender: lenient.string(),
  dob: lenient.string(),
  homeCity: lenient.string(),
  imageUrl: lenient.string(),
  country: lenient.string(),
  latitude: lenient.number(),
  longitude: lenient.number(),
  customAttributes: record(),
});

type ProfilePayload = z.output<typeof fields>;

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

/** A birthday as YYYY-MM-DD: the date as written when it starts with one, else the UTC date of the instant. */
function birthday(value: string, notices: Notices): string | undefined {
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) return value.slice(0, 10);
  const instant = notices.coerce('dob', value, coerce.timestamp);
  return instant?.slice(0, 10);
}

function gender(value: string, notices: Notices): string | undefined {
  const code = brazeGender(value);
  if (code) return code;
  notices.dropped('gender', 'not a gender Braze has a letter for (M, F, O, N, P)');
  return undefined;
}

function location(payload: ProfilePayload, notices: Notices): Record<string, number> | undefined {
  const { latitude, longitude } = payload;
  if (latitude == null && longitude == null) return undefined;
  if (latitude == null || longitude == null) {
    notices.dropped('current_location', 'a latitude or a longitude without the other');
    return undefined;
  }
  return { latitude, longitude };
}

function customAttributes(traits: Record<string, unknown>, notices: Notices): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(traits)) {
    if (MAPPED_TRAITS.includes(key)) continue;
    const problem = keyProblem(key);
    if (problem) notices.dropped(key, problem);
    else out[key] = value;
  }
  return out;
}

function toObjects(payload: ProfilePayload, settings: BrazeSettings, notices: Notices): TrackObject[] {
  return [
    {
      array: 'attributes',
      object: {
        ...customAttributes(payload.customAttributes, notices),
        ...identity(payload, 'identify'),
        ...compact({
          first_name: payload.firstName,
          last_name: payload.lastName,
          phone: payload.phone,
          gender: payload.gender ? gender(payload.gender, notices) : undefined,
          dob: payload.dob ? birthday(payload.dob, notices) : undefined,
          home_city: payload.homeCity,
          image_url: payload.imageUrl,
          country: payload.country,
          current_location: location(payload, notices),
        }),
        _update_existing_only: settings.updateExistingOnly,
      },
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
  ...usersTrackAction(fields, toObjects),
});
