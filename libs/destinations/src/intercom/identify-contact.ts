import { z } from 'zod';
import { defineAction, DropEventError } from '@manifold/destination-kit';
import { compact } from '../common/fields';
import { intercomRequest, searchContact } from './api';
import { optionalNumber, optionalText, optionalUnixSeconds } from './optional';
import { intercomSettings, type IntercomSettings } from './settings';

// Identify → search the contact by external_id (else email); exactly one hit → PUT
// /contacts/{id}, otherwise POST /contacts (Segment's identifyContact). The second request is
// a follow-up built from the search answer (see `followUp` in ./index.ts).

export const IDENTIFY_STEP = 'identify-contact';

const fields = z.object({
  role: z.enum(['user', 'lead']),
  externalId: optionalText(),
  email: optionalText(),
  phone: optionalText(),
  name: optionalText(),
  avatar: optionalText(),
  signedUpAt: optionalUnixSeconds(),
  lastSeenAt: optionalUnixSeconds(),
  ownerId: optionalNumber(),
  unsubscribedFromEmails: z
    .boolean()
    .nullish()
    .transform((value) => value ?? undefined),
  customAttributes: z
    .record(z.string(), z.unknown())
    .nullish()
    .transform((value) => value ?? {}),
});

export type IdentifyPayload = z.output<typeof fields>;

/** The contact body of both POST /contacts and PUT /contacts/{id}. */
export function contactBody(payload: IdentifyPayload): Record<string, unknown> {
  return compact({
    role: payload.role,
    // Intercom takes no external_id on leads.
    external_id: payload.role === 'user' ? payload.externalId : undefined,
    email: payload.email,
    phone: payload.phone,
    name: payload.name,
    avatar: payload.avatar,
    signed_up_at: payload.signedUpAt,
    last_seen_at: payload.lastSeenAt,
    owner_id: payload.ownerId,
    unsubscribed_from_emails: payload.unsubscribedFromEmails,
    custom_attributes: Object.keys(payload.customAttributes).length > 0 ? payload.customAttributes : undefined,
  });
}

function perform(payload: IdentifyPayload, settings: IntercomSettings) {
  const externalId = payload.role === 'user' ? payload.externalId : undefined;
  if (!externalId && !payload.email) {
    throw new DropEventError(
      'INVALID_PAYLOAD',
      'Intercom finds a contact by external_id (userId) or email: this identify has neither',
    );
  }
  return [
    searchContact(
      settings,
      { externalId, email: payload.email },
      { step: IDENTIFY_STEP, state: { contact: contactBody(payload) } },
    ),
  ];
}

export const identifyContact = defineAction(intercomSettings, {
  title: 'Identify contact',
  description:
    'Identify: updates the contact found by external_id or email, or creates it (a user, or a lead without userId).',
  fields,
  defaultMapping: {
    role: { '@if': { exists: { '@path': '$.userId' }, then: 'user', else: 'lead' } },
    externalId: { '@path': '$.userId' },
    email: { '@path': '$.traits.email' },
    phone: { '@path': '$.traits.phone' },
    name: { '@path': '$.traits.name' },
    avatar: { '@path': '$.traits.avatar' },
    signedUpAt: {
      '@if': {
        exists: { '@path': '$.traits.createdAt' },
        then: { '@path': '$.traits.createdAt' },
        else: { '@path': '$.traits.created_at' },
      },
    },
    lastSeenAt: { '@path': '$.timestamp' },
  },
  perform,
});

/** After the search: update the one contact found, or create one. */
export function identifyFollowUp(contactId: string | undefined, state: unknown, settings: IntercomSettings) {
  const { contact } = state as { contact: Record<string, unknown> };
  return contactId
    ? [intercomRequest(settings, 'PUT', `/contacts/${encodeURIComponent(contactId)}`, contact)]
    : [intercomRequest(settings, 'POST', '/contacts', contact)];
}
