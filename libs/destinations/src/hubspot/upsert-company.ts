import { z } from 'zod';
import { defineAction, lenient, type Notices, type RequestDescriptor } from '@manifold/destination-kit';
import { withAssociation } from './associations';
import { coalesce, record } from '../common/fields';
import { upsertAction, type UpsertInput } from './crm-batch';
import { ADDRESS_PARTS, crmProperties, mappedObjectTrait } from './properties';
import { hubspotSettings, type HubspotSettings } from './settings';

// Group → the company whose unique id property (setting `companyIdProperty`, `segment_group_id`
// as Segment names it) holds the groupId, created or updated by batch upsert. Standard company
// fields come from the traits; every other trait goes as a property under its HubSpot name. When
// the call names its contact (an email), the company is then associated with it (associations.ts).

const fields = z.object({
  groupId: z.string().min(1),
  name: lenient.string(),
  website: lenient.string(),
  phone: lenient.string(),
  industry: lenient.string(),
  description: lenient.string(),
  numberofemployees: lenient.integer(),
  address: lenient.string(),
  city: lenient.string(),
  state: lenient.string(),
  zip: lenient.string(),
  country: lenient.string(),
  traits: record(),
  /** Whose group call it is: the contact (by email) the company is associated with. */
  contactEmail: lenient.string(),
});

type CompanyPayload = z.output<typeof fields>;

const MAPPED = new Set(['name', 'website', 'phone', 'industry', 'description', 'employees']);

export function companyInput(payload: CompanyPayload, settings: HubspotSettings, notices: Notices): UpsertInput {
  const { traits, groupId, contactEmail: _contact, ...standard } = payload;
  const skip = new Set(MAPPED);
  mappedObjectTrait(traits, 'address', ADDRESS_PARTS, 'companies', skip, notices);
  const properties = crmProperties(standard, traits, skip, 'traits', notices);
  delete properties[settings.companyIdProperty];
  return { idProperty: settings.companyIdProperty, id: groupId, properties };
}

const upsert = upsertAction('companies', companyInput);

/** Each upsert request with the association flow of the events of it that name a contact. */
const associate = (requests: RequestDescriptor[], payloads: CompanyPayload[], settings: HubspotSettings) =>
  requests.map((request) =>
    withAssociation(
      request,
      payloads.map((p) => p.contactEmail ?? undefined),
      settings.companyIdProperty,
    ),
  );

export const upsertCompany = defineAction(hubspotSettings, {
  title: 'Upsert company',
  description: 'Group: creates or updates the company whose id property holds the groupId.',
  fields,
  defaultMapping: {
    groupId: { '@path': '$.groupId' },
    name: { '@path': '$.traits.name' },
    website: { '@path': '$.traits.website' },
    phone: { '@path': '$.traits.phone' },
    industry: { '@path': '$.traits.industry' },
    description: { '@path': '$.traits.description' },
    numberofemployees: { '@path': '$.traits.employees' },
    address: { '@path': '$.traits.address.street' },
    city: { '@path': '$.traits.address.city' },
    state: { '@path': '$.traits.address.state' },
    zip: coalesce('$.traits.address.postalCode', '$.traits.address.postal_code'),
    country: { '@path': '$.traits.address.country' },
    traits: { '@path': '$.traits' },
    contactEmail: { '@path': '$.context.traits.email' },
  },
  perform: (payload, settings, notices) => associate(upsert.perform(payload, settings, notices), [payload], settings),
  batch: {
    ...upsert.batch,
    perform: (payloads, settings, notices) =>
      associate(upsert.batch.perform(payloads, settings, notices), payloads, settings),
  },
});
