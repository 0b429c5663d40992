import { z } from 'zod';
import { coerce, defineAction, isPlainObject, lenient, type Notices } from '@manifold/destination-kit';
import { coalesce, compact, record } from '../common/fields';
import { identityFields, profileIdentity } from './identity';
import { klaviyoRequest } from './json-api';
import { klaviyoProperties } from './properties';
import { klaviyoSettings, type KlaviyoSettings } from './settings';
import { subscriptionJob } from './subscription';

// Identify → POST /api/profile-import: one call that creates the profile or updates the one its
// identifiers name (Segment's preset tries POST /api/profiles and PATCHes on a 409, two calls).
// Klaviyo's standard fields from the traits and context, every other trait as a custom property.
// Traits that give consent (`subscribe: true`, as RudderStack reads them) also subscribe the
// profile to marketing on the channels `consent` names, to the list `listId` names or the
// settings' list: a second request, a subscription job (subscription.ts).

const fields = z.object({
  ...identityFields,
  firstName: lenient.string(),
  lastName: lenient.string(),
  organization: lenient.string(),
  title: lenient.string(),
  image: lenient.string(),
  locale: lenient.string(),
  address: record(),
  latitude: lenient.number(),
  longitude: lenient.number(),
  timezone: lenient.string(),
  ip: lenient.string(),
  traits: record(),
  subscribe: lenient.boolean(),
  consentChannels: z.unknown().optional(),
  listId: lenient.string(),
});

type ProfilePayload = z.output<typeof fields>;

/** Traits sent as standard fields, never repeated as custom properties. */
const MAPPED_TRAITS = [
  'email',
  'phone',
  'firstName',
  'first_name',
  'lastName',
  'last_name',
  'title',
  'avatar',
  'address',
];

/** Spec address keys → Klaviyo location keys. */
const ADDRESS_KEYS: [string, string][] = [
  ['street', 'address1'],
  ['street2', 'address2'],
  ['city', 'city'],
  ['state', 'region'],
  ['postalCode', 'zip'],
  ['postal_code', 'zip'],
  ['country', 'country'],
];

function location(payload: ProfilePayload, notices: Notices): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [from, to] of ADDRESS_KEYS) {
    if (out[to] !== undefined) continue;
    const value = notices.coerce(`location.${to}`, payload.address[from], coerce.string);
    if (value !== undefined) out[to] = value;
  }
  Object.assign(
    out,
    compact({ latitude: payload.latitude, longitude: payload.longitude, timezone: payload.timezone, ip: payload.ip }),
  );
  return Object.keys(out).length > 0 ? out : undefined;
}

function customProperties(traits: Record<string, unknown>, notices: Notices): Record<string, unknown> {
  const rest = Object.fromEntries(
    Object.entries(traits).filter(
      // A company given as a name is the organization; a company object is kept whole.
      ([key, value]) => !MAPPED_TRAITS.includes(key) && !(key === 'company' && !isPlainObject(value)),
    ),
  );
  return klaviyoProperties(rest, 'properties', notices);
}

function profileData(payload: ProfilePayload, settings: KlaviyoSettings, notices: Notices): Record<string, unknown> {
  const properties = customProperties(payload.traits, notices);
  return {
    type: 'profile',
    attributes: compact({
      ...profileIdentity(payload, settings, notices),
      first_name: payload.firstName,
      last_name: payload.lastName,
      organization: payload.organization,
      title: payload.title,
      image: payload.image,
      locale: payload.locale,
      location: location(payload, notices),
      properties: Object.keys(properties).length > 0 ? properties : undefined,
    }),
  };
}

/** The subscription job of traits that give consent; nothing otherwise. */
function consentRequests(payload: ProfilePayload, settings: KlaviyoSettings, notices: Notices) {
  if (payload.subscribe !== true) return [];
  const job = subscriptionJob(
    {
      email: payload.email ?? undefined,
      phone: payload.phone ?? undefined,
      channels: payload.consentChannels,
      listId: payload.listId ?? undefined,
    },
    settings,
    notices,
  );
  if (!job) {
    notices.dropped('subscriptions', 'consent given without an email or E.164 phone for the channels named');
    return [];
  }
  return [klaviyoRequest('/api/profile-subscription-bulk-create-jobs', job, settings)];
}

export const upsertProfile = defineAction(klaviyoSettings, {
  title: 'Upsert profile',
  description: 'Identify: creates or updates the profile with the traits.',
  fields,
  defaultMapping: {
    email: { '@path': '$.traits.email' },
    phone: coalesce('$.traits.phone', '$.context.traits.phone'),
    externalId: { '@path': '$.userId' },
    anonymousId: { '@path': '$.anonymousId' },
    firstName: coalesce('$.traits.firstName', '$.traits.first_name'),
    lastName: coalesce('$.traits.lastName', '$.traits.last_name'),
    organization: coalesce('$.traits.company.name', '$.traits.company'),
    title: { '@path': '$.traits.title' },
    image: { '@path': '$.traits.avatar' },
    locale: { '@path': '$.context.locale' },
    address: { '@path': '$.traits.address' },
    latitude: { '@path': '$.context.location.latitude' },
    longitude: { '@path': '$.context.location.longitude' },
    timezone: { '@path': '$.context.timezone' },
    ip: { '@path': '$.context.ip' },
    traits: { '@path': '$.traits' },
    subscribe: coalesce('$.traits.subscribe', '$.traits.properties.subscribe'),
    consentChannels: coalesce('$.traits.consent', '$.traits.properties.consent'),
    listId: coalesce('$.traits.listId', '$.traits.properties.listId'),
  },
  perform: (payload, settings, notices) => [
    klaviyoRequest('/api/profile-import', profileData(payload, settings, notices), settings),
    ...consentRequests(payload, settings, notices),
  ],
});
