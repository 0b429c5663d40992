import { hash } from 'node:crypto';
import {
  basicAuth,
  joinUrl,
  jsonRequest,
  USER_AGENT,
  type FollowUpStep,
  type RequestDescriptor,
} from '@manifold/destination-kit';
import { mailchimpBaseUrl, type MailchimpSettings } from './settings';

// Mailchimp Marketing API 3.0 requests: Basic auth with any user name and the key as password,
// JSON; members addressed by their subscriber hash, the MD5 of the lower-cased email.

/** MD5 hex of the lower-cased email: the member's id in paths. */
export const subscriberHash = (email: string): string => hash('md5', email.toLowerCase());

const headers = (settings: MailchimpSettings) => ({ authorization: basicAuth('manifold', settings.apiKey) });

export function mailchimpRequest(
  settings: MailchimpSettings,
  method: 'PUT' | 'POST',
  path: string,
  body: unknown,
  followUp?: FollowUpStep,
): RequestDescriptor {
  const request = jsonRequest(method, joinUrl(mailchimpBaseUrl(settings), path), body, headers(settings));
  return followUp ? { ...request, followUp } : request;
}

/** The member path of an email in the audience. */
export const memberPath = (listId: string, email: string) =>
  `/lists/${encodeURIComponent(listId)}/members/${subscriberHash(email)}`;

export const mergeFieldsPath = (listId: string) => `/lists/${encodeURIComponent(listId)}/merge-fields`;

/** GET the audience's merge fields (all of them: Mailchimp allows at most a few hundred). */
export function listMergeFields(
  settings: MailchimpSettings,
  listId: string,
  followUp: FollowUpStep,
): RequestDescriptor {
  const url = joinUrl(mailchimpBaseUrl(settings), mergeFieldsPath(listId), { count: '1000' });
  return { method: 'GET', url, headers: { ...headers(settings), 'user-agent': USER_AGENT }, followUp };
}
