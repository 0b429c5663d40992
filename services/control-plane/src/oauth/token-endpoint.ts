import { request } from 'undici';
import { isGrantRevoked, isPlainObject } from '@manifold/destination-kit';
import type { OAuthApp } from './oauth-clients';

// The provider's token endpoint (RFC 6749 §4.1.3 and §6): codes and refresh tokens in, access
// tokens out. The client authenticates with its id and secret in the form, which every provider
// Manifold connects to accepts. Answers are never logged: they hold tokens.

export interface TokenAnswer {
  accessToken: string;
  /** Absent when the provider keeps the refresh token it gave before. */
  refreshToken?: string;
  /** Lifetime of the access token (the provider's `expires_in`; one hour when it gives none). */
  expiresInMs: number;
  scope?: string;
  /** The whole answer's other fields, for what the definition keeps (Salesforce's instance_url). */
  fields: Record<string, unknown>;
}

export type TokenResult =
  | { kind: 'tokens'; tokens: TokenAnswer }
  /** The grant is gone (revoked, expired, unknown): only the user can fix it, by connecting again. */
  | { kind: 'revoked'; message: string }
  /** Anything else (network, 5xx, a malformed answer): worth trying again later. */
  | { kind: 'failed'; message: string };

const TIMEOUT_MS = 10_000;

export async function requestTokens(app: OAuthApp, grant: Record<string, string>): Promise<TokenResult> {
  const form = new URLSearchParams({ ...grant, client_id: app.clientId, client_secret: app.clientSecret });
  let status: number;
  let text: string;
  try {
    const response = await request(app.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
    });
    status = response.statusCode;
    text = await response.body.text();
  } catch (error) {
    return {
      kind: 'failed',
      message: `token endpoint unreachable: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    body = undefined;
  }
  if (status === 200 && isPlainObject(body) && typeof body['access_token'] === 'string') {
    const expiresIn = Number(body['expires_in']);
    const { access_token, refresh_token, expires_in: _e, scope, ...fields } = body;
    return {
      kind: 'tokens',
      tokens: {
        accessToken: access_token,
        ...(typeof refresh_token === 'string' && refresh_token ? { refreshToken: refresh_token } : {}),
        expiresInMs: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : 3_600_000,
        ...(typeof scope === 'string' ? { scope } : {}),
        fields,
      },
    };
  }
  const reason = describeRefusal(status, body);
  if (isGrantRevoked(app.definition, status, body)) return { kind: 'revoked', message: reason };
  return { kind: 'failed', message: reason };
}

/** The provider's words for a refusal (its error code and description; never the request's tokens). */
function describeRefusal(status: number, body: unknown): string {
  if (!isPlainObject(body)) return `token endpoint answered ${status}`;
  const code = [body['error'], body['status']].find((v) => typeof v === 'string');
  const words = [body['error_description'], body['message']].find((v) => typeof v === 'string');
  return `token endpoint answered ${status}${code ? ` ${String(code)}` : ''}${words ? `: ${String(words)}` : ''}`;
}
