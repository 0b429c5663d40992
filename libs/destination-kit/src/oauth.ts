import { isPlainObject } from '@manifold/json';
import type { HttpResponseInfo, RequestDescriptor } from './request';

/**
 * A destination whose API takes OAuth 2.0 access tokens from an authorization-code grant (HubSpot's
 * public apps, Salesforce, Google Ads). The user connects an instance once in the console; the
 * control plane keeps the refresh token sealed and hands translators short-lived access tokens,
 * which the translator puts on each request just before sending it. `perform` never sees a token.
 *
 * The client id and secret are the operator's (their app registered with the provider), read by
 * the control plane from `OAUTH_<ID>_CLIENT_ID` / `OAUTH_<ID>_CLIENT_SECRET`, never stored with
 * the instance.
 */
export interface OAuthConnectionDefinition<Settings = Record<string, unknown>> {
  /** The provider's consent page the browser is sent to. */
  authorizeUrl: string;
  /** The token endpoint (authorization_code and refresh_token grants). */
  tokenUrl: string;
  scopes: readonly string[];
  /** Further query parameters of the authorize URL (Google: `access_type=offline`, `prompt=consent`). */
  authorizeParams?: Readonly<Record<string, string>>;
  /**
   * Fields of the token answer kept as settings of the instance (not secret), by setting name:
   * Salesforce's `{ instance_url: 'instanceUrl' }`, where every API call of that org must go.
   */
  keep?: Readonly<Record<string, string>>;
  /**
   * Other endpoints an instance picks by one of its settings (Salesforce's `environment: sandbox`
   * logs in at test.salesforce.com): the setting's stored value → endpoints; any other value, or
   * none, uses `authorizeUrl`/`tokenUrl`. The hosts are the definition's, never a setting's text,
   * so no instance can send the operator's client secret elsewhere.
   */
  endpointsBySetting?: {
    setting: string;
    values: Readonly<Record<string, { authorizeUrl: string; tokenUrl: string }>>;
  };
  /** Whether an instance with these settings uses the connection (HubSpot: when no private-app token is set). */
  uses(settings: Settings): boolean;
  /**
   * Whether a refused refresh means the grant is gone and only the user can fix it (revoked app,
   * expired refresh token): the instance then needs reconnecting. RFC 6749's `invalid_grant` by default.
   */
  grantRevoked?(status: number, body: unknown): boolean;
}

/** RFC 6749 §5.2: a refused grant says `invalid_grant`. */
export function isGrantRevoked(definition: OAuthConnectionDefinition<never>, status: number, body: unknown): boolean {
  if (definition.grantRevoked) return definition.grantRevoked(status, body);
  return status === 400 && isPlainObject(body) && body['error'] === 'invalid_grant';
}

/**
 * Whether an API answer says the access token was not taken. A 401 alone is not proof it expired
 * (HubSpot says so too), so the translator gets a fresh token once and tries again, never more.
 */
export function isTokenRejected(response: HttpResponseInfo): boolean {
  return response.status === 401;
}

/** The request with the access token as its bearer credential: a copy, the descriptor itself unchanged. */
export function withAccessToken(request: RequestDescriptor, accessToken: string): RequestDescriptor {
  return { ...request, headers: { ...request.headers, authorization: `Bearer ${accessToken}` } };
}

/** What the catalog says of a destination's OAuth connection (no endpoints: those are the operator's business). */
export interface CatalogOAuth {
  scopes: string[];
}
