import {
  basicAuth,
  joinUrl,
  jsonRequest,
  USER_AGENT,
  type FollowUpStep,
  type RequestDescriptor,
} from '@manifold/destination-kit';
import { zendeskBaseUrl, type ZendeskSettings } from './settings';

// Zendesk Support API v2 requests: Basic auth of `{agent email}/token` and the API token, JSON.

const headers = (settings: ZendeskSettings) => ({
  authorization: basicAuth(`${settings.email}/token`, settings.apiToken),
});

export function zendeskRequest(
  settings: ZendeskSettings,
  path: string,
  body: unknown,
  followUp?: FollowUpStep,
): RequestDescriptor {
  const request = jsonRequest('POST', joinUrl(zendeskBaseUrl(settings), path), body, headers(settings));
  return followUp ? { ...request, followUp } : request;
}

export function zendeskGet(
  settings: ZendeskSettings,
  path: string,
  query: Record<string, string>,
  followUp?: FollowUpStep,
): RequestDescriptor {
  const url = joinUrl(zendeskBaseUrl(settings), path, query);
  const request: RequestDescriptor = {
    method: 'GET',
    url,
    headers: { ...headers(settings), 'user-agent': USER_AGENT },
  };
  return followUp ? { ...request, followUp } : request;
}
