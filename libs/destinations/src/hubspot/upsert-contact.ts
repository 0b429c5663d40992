import { z } from 'zod';
import { defineAction, lenient, type Notices } from '@manifold/destination-kit';
import { coalesce, record } from '../common/fields';
import { upsertAction, type UpsertInput } from './crm-batch';
import { ADDRESS_PARTS, crmProperties, mappedObjectTrait } from './properties';
import { hubspotSettings } from './settings';

// Identify → the contact with this email, created or updated (batch upsert by `email`, Segment's
// upsertContact preset in one call instead of PATCH-then-POST). Segment's standard contact fields
// come from the traits; every other trait goes as a property under its HubSpot name.

const fields = z.object({
  email: z.string().trim().pipe(z.email()),
  firstname: lenient.string(),
  lastname: lenient.string(),
  phone: lenient.string(),
  company: lenient.string(),
  website: lenient.string(),
  address: lenient.string(),
  city: lenient.string(),
  state: lenient.string(),
  zip: lenient.string(),
  country: lenient.string(),
  lifecyclestage: lenient.string(),
  traits: record(),
});

type ContactPayload = z.output<typeof fields>;

/** Traits the standard fields were mapped from (sent once, under the standard name). */
const MAPPED = new Set(['email', 'firstName', 'first_name', 'lastName', 'last_name', 'phone', 'website']);

export function contactInput(payload: ContactPayload, notices: Notices): UpsertInput {
  const { traits, email, lifecyclestage, ...standard } = payload;
  const skip = new Set(MAPPED);
  // An address or company object: its known parts are standard fields; the rest cannot be sent.
  mappedObjectTrait(traits, 'address', ADDRESS_PARTS, 'contacts', skip, notices);
  mappedObjectTrait(traits, 'company', new Set(['name']), 'contacts', skip, notices);
  if (typeof traits['company'] === 'string') skip.add('company');
  if (typeof traits['lifecyclestage'] === 'string') skip.add('lifecyclestage');
  const properties = crmProperties(
    { ...standard, email, lifecyclestage: lifecyclestage?.toLowerCase() },
    traits,
    skip,
    'traits',
    notices,
  );
  return { idProperty: 'email', id: email, properties };
}

export const upsertContact = defineAction(hubspotSettings, {
  title: 'Upsert contact',
  description: 'Identify: creates or updates the contact with this email.',
  fields,
  defaultMapping: {
    email: coalesce('$.traits.email', '$.context.traits.email'),
    firstname: coalesce('$.traits.first_name', '$.traits.firstName'),
    lastname: coalesce('$.traits.last_name', '$.traits.lastName'),
    phone: { '@path': '$.traits.phone' },
    company: coalesce('$.traits.company.name', '$.traits.company'),
    website: { '@path': '$.traits.website' },
    address: { '@path': '$.traits.address.street' },
    city: { '@path': '$.traits.address.city' },
    state: { '@path': '$.traits.address.state' },
    zip: coalesce('$.traits.address.postalCode', '$.traits.address.postal_code'),
    country: { '@path': '$.traits.address.country' },
    lifecyclestage: { '@path': '$.traits.lifecyclestage' },
    traits: { '@path': '$.traits' },
  },
  ...upsertAction('contacts', (payload: ContactPayload, _settings, notices) => contactInput(payload, notices)),
});
