import { joinUrl, jsonRequest, USER_AGENT, type FollowUpStep, type RequestDescriptor } from '@manifold/destination-kit';
import type { IntercomSettings } from './settings';

// Intercom REST requests: Bearer token, JSON both ways, the API version
// pinned so request shapes do not depend on the app's default version.

export function intercomRequest(
  settings: IntercomSettings,
  method: 'POST' | 'PUT',
  path: string,
  body: unknown,
  followUp?: FollowUpStep,
): RequestDescriptor {
  const request = jsonRequest(method, joinUrl(settings.apiBaseUrl, path), body, headers(settings));
  return followUp ? { ...request, followUp } : request;
}

function headers(settings: IntercomSettings): Record<string, string> {
  return {
    authorization: `Bearer ${settings.accessToken}`,
    accept: 'application/json',
    'intercom-version': settings.apiVersion,
  };
}

/** GET /data_attributes?model=… : the workspace's attributes of contacts or companies. */
export function listDataAttributes(
  settings: IntercomSettings,
  model: 'contact' | 'company',
  followUp: FollowUpStep,
): RequestDescriptor {
  const url = joinUrl(settings.apiBaseUrl, '/data_attributes', { model });
  return { method: 'GET', url, headers: { ...headers(settings), 'user-agent': USER_AGENT }, followUp };
}

/** POST /contacts/search for the one contact with this external_id (or email). */
export function searchContact(
  settings: IntercomSettings,
  by: { externalId?: string | undefined; email?: string | undefined },
  followUp: FollowUpStep,
): RequestDescriptor {
  const query = by.externalId
    ? { field: 'external_id', operator: '=', value: by.externalId }
    : { field: 'email', operator: '=', value: by.email };
  return intercomRequest(settings, 'POST', '/contacts/search', { query }, followUp);
}

/** The contact id when a search found exactly one contact (Segment's rule), else undefined. */
export function uniqueContactId(searchBody: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(searchBody);
  } catch {
    return undefined;
  }
  const result = parsed as { total_count?: unknown; data?: { id?: unknown }[] };
  const id = result.data?.[0]?.id;
  return result.total_count === 1 && typeof id === 'string' ? id : undefined;
}
