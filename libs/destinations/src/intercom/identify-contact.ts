import { z } from 'zod';
import { coerce, defineAction, DropEventError, isPlainObject, lenient, type Notices } from '@manifold/destination-kit';
import { coalesce, compact, record, optionalText } from '../common/fields';
import { searchContact } from './api';
import { ensureAttributes } from './attributes-flow';
import type { CompanyPlan } from './continuation';
import { customAttributesFrom } from './custom-attributes';
import { companyFields } from './company';
import { intercomSettings, type IntercomSettings } from './settings';

// Identify → search the contact by external_id (else email); exactly one hit → PUT
// /contacts/{id}, otherwise POST /contacts (Segment's identifyContact). Beyond Segment's preset:
// the other traits become custom attributes (see attributes-flow.ts), a name is composed from
// firstName and lastName when there is none, and `traits.company` is upserted and the contact
// attached to it (as a group call would).

export const IDENTIFY_STEP = 'identify-contact';

/** Traits sent through the contact's own fields (or as the company), not as custom attributes. */
const MAPPED_TRAITS = [
  'email',
  'phone',
  'name',
  'firstName',
  'first_name',
  'lastName',
  'last_name',
  'avatar',
  'createdAt',
  'created_at',
  'owner_id',
  'unsubscribed_from_emails',
  'company',
];

const fields = z.object({
  role: z.enum(['user', 'lead']),
  externalId: optionalText(),
  email: lenient.email(),
  phone: lenient.phone(),
  name: lenient.string(),
  firstName: lenient.string(),
  lastName: lenient.string(),
  avatar: lenient.string(),
  signedUpAt: lenient.timestamp(),
  lastSeenAt: lenient.timestamp(),
  ownerId: lenient.integer(),
  unsubscribedFromEmails: lenient.boolean(),
  traits: record(),
});

export type IdentifyPayload = z.output<typeof fields>;

const unixSeconds = (iso: string | null | undefined) => (iso ? Math.floor(Date.parse(iso) / 1000) : undefined);

/** The contact body of both POST /contacts and PUT /contacts/{id}, without custom attributes. */
export function contactBody(payload: IdentifyPayload): Record<string, unknown> {
  const composed = [payload.firstName, payload.lastName].filter(Boolean).join(' ');
  return compact({
    role: payload.role,
    // Intercom takes no external_id on leads.
    external_id: payload.role === 'user' ? payload.externalId : undefined,
    email: payload.email,
    phone: payload.phone,
    name: payload.name ?? (composed || undefined),
    avatar: payload.avatar,
    signed_up_at: unixSeconds(payload.signedUpAt),
    last_seen_at: unixSeconds(payload.lastSeenAt),
    owner_id: payload.ownerId,
    unsubscribed_from_emails: payload.unsubscribedFromEmails,
  });
}

/** The company of `traits.company`, when it is one Intercom can key (it needs an id). */
function companyPlan(value: unknown, notices: Notices): CompanyPlan | undefined {
  if (value === null || value === undefined) return undefined;
  if (!isPlainObject(value)) {
    notices.dropped('company', 'not an object with an id (Intercom keys companies by id)');
    return undefined;
  }
  const id = notices.coerce('company.id', value['id'] ?? value['company_id'], coerce.string);
  if (!id) {
    notices.dropped('company', 'no company.id (Intercom keys companies by id)');
    return undefined;
  }
  return companyFields(id, value, 'company.', notices);
}

function perform(payload: IdentifyPayload, settings: IntercomSettings, notices: Notices) {
  const externalId = payload.role === 'user' ? payload.externalId : undefined;
  if (!externalId && !payload.email) {
    throw new DropEventError(
      'INVALID_PAYLOAD',
      'Intercom finds a contact by external_id (userId) or email: this identify has neither',
    );
  }
  const state: IdentifyState = {
    contact: contactBody(payload),
    customAttributes: customAttributesFrom(payload.traits, MAPPED_TRAITS, 'contact', 'custom_attributes', notices),
    company: companyPlan(payload.traits['company'], notices),
  };
  return [searchContact(settings, { externalId, email: payload.email ?? undefined }, { step: IDENTIFY_STEP, state })];
}

interface IdentifyState {
  contact: Record<string, unknown>;
  customAttributes: ReturnType<typeof customAttributesFrom>;
  company?: CompanyPlan | undefined;
}

export const identifyContact = defineAction(intercomSettings, {
  title: 'Identify contact',
  description:
    'Identify: updates the contact found by external_id or email, or creates it (a user, or a lead without userId), with traits as custom attributes and traits.company as its company.',
  fields,
  defaultMapping: {
    role: { '@if': { exists: { '@path': '$.userId' }, then: 'user', else: 'lead' } },
    externalId: { '@path': '$.userId' },
    email: { '@path': '$.traits.email' },
    phone: { '@path': '$.traits.phone' },
    name: { '@path': '$.traits.name' },
    firstName: coalesce('$.traits.firstName', '$.traits.first_name'),
    lastName: coalesce('$.traits.lastName', '$.traits.last_name'),
    avatar: { '@path': '$.traits.avatar' },
    signedUpAt: coalesce('$.traits.createdAt', '$.traits.created_at'),
    lastSeenAt: { '@path': '$.timestamp' },
    // Intercom's own field names: standard contact fields, so never custom attributes.
    ownerId: { '@path': '$.traits.owner_id' },
    unsubscribedFromEmails: { '@path': '$.traits.unsubscribed_from_emails' },
    traits: { '@path': '$.traits' },
  },
  perform,
});

/** After the search: the contact (found or new) once its custom attributes are checked. */
export function identifyFollowUp(contactId: string | undefined, state: unknown, settings: IntercomSettings) {
  const { contact, customAttributes, company } = state as IdentifyState;
  return ensureAttributes(settings, 'contact', 'custom_attributes', customAttributes, {
    kind: 'contact',
    contactId,
    contact,
    ...(company ? { company } : {}),
  });
}

/** After the contact was saved: its company (from `traits.company`), then the attachment. */
export function contactSavedFollowUp(contactAnswer: string, state: unknown, settings: IntercomSettings) {
  const { company } = state as { company: CompanyPlan };
  const contact = JSON.parse(contactAnswer) as { id?: unknown };
  if (typeof contact.id !== 'string') throw new Error('Intercom contact answer without an id');
  return ensureAttributes(settings, 'company', 'company.custom_attributes', company.customAttributes, {
    kind: 'company',
    company: company.company,
    contactId: contact.id,
  });
}
