import { z } from 'zod';
import { defineAction } from '@manifold/destination-kit';
import { compact } from '../common/fields';
import { intercomRequest, searchContact } from './api';
import { optionalNumber, optionalText, optionalUnixSeconds } from './optional';
import { intercomSettings, type IntercomSettings } from './settings';

// Group → search the contact (userId, else email), POST /companies (an upsert by company_id),
// then attach the contact: POST /contacts/{id}/companies {id: <Intercom company id>} (Segment's
// groupIdentifyContact). Companies stay invisible in Intercom until a contact is attached.

export const GROUP_SEARCH_STEP = 'group-search-contact';
export const GROUP_ATTACH_STEP = 'group-attach-contact';

const fields = z.object({
  companyId: z.union([z.string().min(1), z.number()]).transform(String),
  name: optionalText(),
  plan: optionalText(),
  size: optionalNumber(),
  website: optionalText(),
  industry: optionalText(),
  monthlySpend: optionalNumber(),
  remoteCreatedAt: optionalUnixSeconds(),
  customAttributes: z
    .record(z.string(), z.unknown())
    .nullish()
    .transform((value) => value ?? {}),
  externalId: optionalText(),
  email: optionalText(),
});

type GroupPayload = z.output<typeof fields>;

function companyBody(payload: GroupPayload): Record<string, unknown> {
  return compact({
    company_id: payload.companyId,
    name: payload.name,
    plan: payload.plan,
    size: payload.size === undefined ? undefined : Math.round(payload.size),
    website: payload.website,
    industry: payload.industry,
    monthly_spend: payload.monthlySpend,
    remote_created_at: payload.remoteCreatedAt,
    custom_attributes: Object.keys(payload.customAttributes).length > 0 ? payload.customAttributes : undefined,
  });
}

/** POST /companies; when a contact was found, its answer leads to the attach step. */
export function upsertCompany(settings: IntercomSettings, company: Record<string, unknown>, contactId?: string) {
  return intercomRequest(
    settings,
    'POST',
    '/companies',
    company,
    contactId ? { step: GROUP_ATTACH_STEP, state: { contactId } } : undefined,
  );
}

function perform(payload: GroupPayload, settings: IntercomSettings) {
  const company = companyBody(payload);
  if (!payload.externalId && !payload.email) return [upsertCompany(settings, company)];
  return [
    searchContact(
      settings,
      { externalId: payload.externalId, email: payload.email },
      { step: GROUP_SEARCH_STEP, state: { company } },
    ),
  ];
}

export const groupIdentifyContact = defineAction(intercomSettings, {
  title: 'Identify company',
  description: 'Group: creates or updates the company and attaches the contact to it.',
  fields,
  defaultMapping: {
    companyId: { '@path': '$.groupId' },
    name: { '@path': '$.traits.name' },
    plan: { '@path': '$.traits.plan' },
    size: { '@path': '$.traits.employees' },
    website: { '@path': '$.traits.website' },
    industry: { '@path': '$.traits.industry' },
    monthlySpend: { '@path': '$.traits.monthly_spend' },
    remoteCreatedAt: { '@path': '$.traits.createdAt' },
    externalId: { '@path': '$.userId' },
    email: { '@path': '$.traits.email' },
  },
  perform,
});

/** After the contact search: upsert the company, attaching the contact if exactly one was found. */
export function groupSearchFollowUp(contactId: string | undefined, state: unknown, settings: IntercomSettings) {
  const { company } = state as { company: Record<string, unknown> };
  return [upsertCompany(settings, company, contactId)];
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
