import { z } from 'zod';
import { defineAction, lenient, type Notices } from '@manifold/destination-kit';
import { record, optionalText } from '../common/fields';
import { intercomRequest, searchContact } from './api';
import { ensureAttributes } from './attributes-flow';
import { companyFields } from './company';
import type { CompanyPlan } from './continuation';
import { intercomSettings, type IntercomSettings } from './settings';

// Group → search the contact (userId, else email), POST /companies (an upsert by company_id),
// then attach the contact: POST /contacts/{id}/companies {id: <Intercom company id>} (Segment's
// groupIdentifyContact). Companies stay invisible in Intercom until a contact is attached. Beyond
// Segment's preset, the group's other traits become the company's custom attributes.

export const GROUP_SEARCH_STEP = 'group-search-contact';

const fields = z.object({
  companyId: z.union([z.string().min(1), z.number()]).transform(String),
  traits: record(),
  externalId: optionalText(),
  email: lenient.email(),
});

type GroupPayload = z.output<typeof fields>;

function perform(payload: GroupPayload, settings: IntercomSettings, notices: Notices) {
  const plan = companyFields(payload.companyId, payload.traits, '', notices);
  if (!payload.externalId && !payload.email) {
    return ensureAttributes(settings, 'company', 'custom_attributes', plan.customAttributes, {
      kind: 'company',
      company: plan.company,
    });
  }
  return [
    searchContact(
      settings,
      { externalId: payload.externalId, email: payload.email ?? undefined },
      { step: GROUP_SEARCH_STEP, state: plan },
    ),
  ];
}

export const groupIdentifyContact = defineAction(intercomSettings, {
  title: 'Identify company',
  description:
    'Group: creates or updates the company (group traits as its fields and custom attributes) and attaches the contact to it.',
  fields,
  defaultMapping: {
    companyId: { '@path': '$.groupId' },
    traits: { '@path': '$.traits' },
    externalId: { '@path': '$.userId' },
    email: { '@path': '$.traits.email' },
  },
  perform,
});

/** After the contact search: the company (attaching the contact if exactly one was found). */
export function groupSearchFollowUp(contactId: string | undefined, state: unknown, settings: IntercomSettings) {
  const plan = state as CompanyPlan;
  return ensureAttributes(settings, 'company', 'custom_attributes', plan.customAttributes, {
    kind: 'company',
    company: plan.company,
    contactId,
  });
}

/** After the company upsert: attach the contact to the company Intercom answered with. */
export function groupAttachFollowUp(companyAnswer: string, state: unknown, settings: IntercomSettings) {
  const { contactId } = state as { contactId: string };
  const company = JSON.parse(companyAnswer) as { id?: unknown };
  if (typeof company.id !== 'string') throw new Error('Intercom company answer without an id');
  return [
    intercomRequest(settings, 'POST', `/contacts/${encodeURIComponent(contactId)}/companies`, { id: company.id }),
  ];
}
