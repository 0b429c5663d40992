import { z } from 'zod';
import { defineAction, lenient, Notices, isPlainObject } from '@manifold/destination-kit';
import { coalesce, record } from '../common/fields';
import { batchUpsertRequests, MAX_INPUTS, type UpsertInput } from './crm-batch';
import { crmProperties } from './properties';
import { hubspotSettings, type HubspotSettings } from './settings';

// Group → the company whose unique id property (setting `companyIdProperty`, `segment_group_id`
// as Segment names it) holds the groupId, created or updated by batch upsert. Standard company
// fields come from the traits; every other trait goes as a property under its HubSpot name.

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
  /** Whose group call it is: HubSpot's upsert cannot associate the contact, which is said in a notice. */
  contactEmail: lenient.string(),
});

type CompanyPayload = z.output<typeof fields>;

const MAPPED = new Set(['name', 'website', 'phone', 'industry', 'description', 'employees']);
const ADDRESS_KEYS = new Set(['street', 'city', 'state', 'country', 'postalCode', 'postal_code']);

export function companyInput(payload: CompanyPayload, settings: HubspotSettings, notices: Notices): UpsertInput {
  const { traits, groupId, contactEmail, ...standard } = payload;
  const skip = new Set(MAPPED);
  if (isPlainObject(traits['address'])) {
    skip.add('address');
    for (const part of Object.keys(traits['address'])) {
      if (!ADDRESS_KEYS.has(part))
        notices.dropped(`traits.address.${part}`, `HubSpot companies have no address ${part}`);
    }
  }
  if (contactEmail) notices.dropped('contact', 'the company is not associated with the contact (not implemented)');
  const properties = crmProperties(standard, traits, skip, 'traits', notices);
  delete properties[settings.companyIdProperty];
  return { idProperty: settings.companyIdProperty, id: groupId, properties };
}

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
  perform: (payload, settings, notices) =>
    batchUpsertRequests('companies', [companyInput(payload, settings, notices)], settings),
  batch: {
    maxEvents: MAX_INPUTS,
    size: (settings: HubspotSettings) => settings.batchSize,
    perform: (payloads, settings, notices) =>
      batchUpsertRequests(
        'companies',
        payloads.map((p, i) => companyInput(p, settings, notices[i] ?? new Notices())),
        settings,
      ),
  },
});
