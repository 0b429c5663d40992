import type { RequestDescriptor } from '@manifold/destination-kit';
import { intercomRequest } from './api';
import type { AttributeValue } from './custom-attributes';
import type { IntercomSettings } from './settings';

// What a flow sends once the custom attributes it carries are known to exist: the contact
// (identify) or the company (group, and the `company` trait of an identify). Plain JSON, as it
// travels in follow-up state.

export const CONTACT_SAVED_STEP = 'contact-saved';
export const GROUP_ATTACH_STEP = 'group-attach-contact';

/** A company to upsert after the contact: its body and the custom attributes to check first. */
export interface CompanyPlan {
  company: Record<string, unknown>;
  customAttributes: Record<string, AttributeValue>;
}

export type Continuation =
  /** Update the contact found (contactId), or create it; then the company, if any. */
  | { kind: 'contact'; contactId?: string | undefined; contact: Record<string, unknown>; company?: CompanyPlan }
  /** Upsert the company; then attach the contact, if one was found. */
  | { kind: 'company'; company: Record<string, unknown>; contactId?: string | undefined };

function withAttributes(body: Record<string, unknown>, custom: Record<string, AttributeValue>) {
  return Object.keys(custom).length > 0 ? { ...body, custom_attributes: custom } : body;
}

/** The request(s) of `then`, with the custom attributes that passed. */
export function continueWith(
  then: Continuation,
  custom: Record<string, AttributeValue>,
  settings: IntercomSettings,
): RequestDescriptor[] {
  if (then.kind === 'company') {
    const followUp = then.contactId ? { step: GROUP_ATTACH_STEP, state: { contactId: then.contactId } } : undefined;
    return [intercomRequest(settings, 'POST', '/companies', withAttributes(then.company, custom), followUp)];
  }
  const body = withAttributes(then.contact, custom);
  const followUp = then.company ? { step: CONTACT_SAVED_STEP, state: { company: then.company } } : undefined;
  return then.contactId
    ? [intercomRequest(settings, 'PUT', `/contacts/${encodeURIComponent(then.contactId)}`, body, followUp)]
    : [intercomRequest(settings, 'POST', '/contacts', body, followUp)];
}
