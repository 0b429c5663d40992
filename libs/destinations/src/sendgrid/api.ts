import { joinUrl, jsonRequest, USER_AGENT, type FollowUpStep, type RequestDescriptor } from '@manifold/destination-kit';
import type { SendgridSettings } from './settings';

// SendGrid's v3 requests: Bearer API key, JSON.

export const CONTACTS_PATH = '/v3/marketing/contacts';
export const FIELD_DEFINITIONS_PATH = '/v3/marketing/field_definitions';

const auth = (settings: SendgridSettings) => ({ authorization: `Bearer ${settings.apiKey}` });

/** PUT /v3/marketing/contacts: upserts the contacts (queued, 202 + job_id). */
export function upsertContacts(
  contacts: Record<string, unknown>[],
  itemEvents: number[],
  settings: SendgridSettings,
): RequestDescriptor {
  const body = settings.listIds.length > 0 ? { list_ids: settings.listIds, contacts } : { contacts };
  return { ...jsonRequest('PUT', joinUrl(settings.apiBaseUrl, CONTACTS_PATH), body, auth(settings)), itemEvents };
}

/** GET /v3/marketing/field_definitions: the account's custom fields (id, name, type). */
export function listFieldDefinitions(
  settings: SendgridSettings,
  itemEvents: number[],
  followUp: FollowUpStep,
): RequestDescriptor {
  const url = joinUrl(settings.apiBaseUrl, FIELD_DEFINITIONS_PATH);
  return { method: 'GET', url, headers: { ...auth(settings), 'user-agent': USER_AGENT }, itemEvents, followUp };
}

/** POST /v3/marketing/field_definitions: creates one custom field. */
export function createFieldDefinition(
  name: string,
  fieldType: 'Text' | 'Number',
  settings: SendgridSettings,
): RequestDescriptor {
  return jsonRequest(
    'POST',
    joinUrl(settings.apiBaseUrl, FIELD_DEFINITIONS_PATH),
    { name, field_type: fieldType },
    auth(settings),
  );
}
