import { joinUrl, jsonRequest, type RequestDescriptor } from '@manifold/destination-kit';
import type { KlaviyoSettings } from './settings';

// Klaviyo's server API: JSON:API documents `{"data": {"type", "attributes", "relationships"?}}`,
// the private key as `Authorization: Klaviyo-API-Key …`, and the dated revision on every request.
// Bodies go as application/json, which Klaviyo takes beside application/vnd.api+json.

export function klaviyoRequest(
  path: string,
  data: Record<string, unknown>,
  settings: KlaviyoSettings,
): RequestDescriptor {
  return jsonRequest(
    'POST',
    joinUrl(settings.apiBaseUrl, path),
    { data },
    {
      authorization: `Klaviyo-API-Key ${settings.apiKey}`,
      revision: settings.revision,
      accept: 'application/vnd.api+json',
    },
  );
}
