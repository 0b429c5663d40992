import { createHash, randomBytes } from 'node:crypto';
import { basicCredentials, mediaType, type EmulatorRequest, type EmulatorResponse } from './emulator';

// An OAuth 2.0 authorization server (RFC 6749's authorization-code and refresh-token grants) that
// an API emulator serves beside its API, as HubSpot, Salesforce and Google do: an authorize page a
// browser can click through, a token endpoint, access tokens that expire on the emulator's clock,
// and revocation, so that a refresh answers `invalid_grant` as a revoked grant does.

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

export interface OAuthProviderOptions extends OAuthClient {
  /** Path of the page the browser is sent to (`/oauth/authorize`). */
  authorizePath?: string;
  /** Path of the token endpoint (`/oauth/token`). */
  tokenPath?: string;
  /** Lifetime of access tokens, in seconds (HubSpot's are about 30 minutes). */
  accessTokenTtlSeconds?: number;
  /** Scopes the client may ask for; others are refused at the authorize page. */
  scopes?: readonly string[];
  /** Fields added to every token answer (Salesforce's `instance_url`), or a function giving them when asked. */
  tokenAnswerFields?: Record<string, unknown> | (() => Record<string, unknown>);
  /** The body of a refused grant (`invalid_grant`); RFC 6749's shape unless a vendor differs. */
  grantErrorBody?: (error: 'invalid_grant' | 'invalid_client' | 'invalid_request', description: string) => unknown;
}

/** The state of a bearer token presented to the API. */
export type BearerCheck = 'valid' | 'expired' | 'unknown';

export interface TokenRequestRecord {
  grantType: string;
  status: number;
  at: number;
}

interface Grant {
  refreshToken: string;
  scopes: string[];
  revoked: boolean;
}

const CODE_TTL_MS = 10 * 60_000;

export class OAuthProvider {
  readonly authorizePath: string;
  readonly tokenPath: string;
  /** Every token request, in order, with the grant type and the answer's status. */
  readonly tokenRequests: TokenRequestRecord[] = [];
  private accessTtlMs: number;
  private readonly codes = new Map<string, { redirectUri: string; scopes: string[]; expiresAt: number }>();
  private readonly grants = new Map<string, Grant>();
  private readonly accessTokens = new Map<string, { grant: Grant; expiresAt: number }>();

  constructor(
    private readonly options: OAuthProviderOptions,
    private readonly now: () => number,
  ) {
    this.authorizePath = options.authorizePath ?? '/oauth/authorize';
    this.tokenPath = options.tokenPath ?? '/oauth/token';
    this.accessTtlMs = (options.accessTokenTtlSeconds ?? 1800) * 1000;
  }

  /** Changes the lifetime of the access tokens issued from now on. */
  setAccessTokenTtl(seconds: number): void {
    this.accessTtlMs = seconds * 1000;
  }

  /** Every access token issued so far stops working (as at the end of its lifetime). */
  expireAccessTokens(): void {
    for (const token of this.accessTokens.values()) token.expiresAt = 0;
  }

  /** The user revokes the app: every grant's refresh token then answers `invalid_grant`. */
  revokeAll(): void {
    for (const grant of this.grants.values()) grant.revoked = true;
  }

  /** Refresh-token grants answered with a new access token. */
  refreshCount(): number {
    return this.tokenRequests.filter((r) => r.grantType === 'refresh_token' && r.status === 200).length;
  }

  /** Every access token issued so far (tests look for them where they must not be). */
  issuedAccessTokens(): string[] {
    return [...this.accessTokens.keys()];
  }

  /**
   * A grant made as if a user had clicked through the consent page: its access and refresh
   * tokens, for tests of an API that need a token but not the flow (the flow has its own tests).
   */
  grant(scopes: readonly string[] = this.options.scopes ?? []): { accessToken: string; refreshToken: string } {
    const grant: Grant = { refreshToken: token('rt'), scopes: [...scopes], revoked: false };
    this.grants.set(grant.refreshToken, grant);
    const accessToken = token('at');
    this.accessTokens.set(accessToken, { grant, expiresAt: this.now() + this.accessTtlMs });
    return { accessToken, refreshToken: grant.refreshToken };
  }

  /** Whether a request's `Authorization: Bearer` names a live access token. */
  checkBearer(authorization: string | undefined): BearerCheck {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    const token = match ? this.accessTokens.get(match[1] as string) : undefined;
    if (!token || token.grant.revoked) return 'unknown';
    return token.expiresAt > this.now() ? 'valid' : 'expired';
  }

  /** The provider's answer when the request is for one of its endpoints; undefined otherwise. */
  handle(request: EmulatorRequest): EmulatorResponse | undefined {
    if (request.path === this.authorizePath) return this.authorize(request);
    if (request.path === this.tokenPath) return this.token(request);
    return undefined;
  }

  /**
   * GET shows the consent page; its "Grant access" button posts the same parameters back, which
   * redirects to `redirect_uri` with a code and the client's `state` (as the real pages do).
   */
  private authorize(request: EmulatorRequest): EmulatorResponse {
    const params = request.method === 'POST' ? new URLSearchParams(request.body) : request.query;
    const clientId = params.get('client_id') ?? '';
    const redirectUri = params.get('redirect_uri') ?? '';
    const state = params.get('state');
    const scopes = (params.get('scope') ?? '').split(/[\s+]+/).filter(Boolean);
    if (clientId !== this.options.clientId) return page(400, 'Unknown client_id.');
    if (!/^https?:\/\//.test(redirectUri)) return page(400, 'redirect_uri must be an absolute http(s) URL.');
    if (params.get('response_type') !== 'code') return page(400, 'response_type must be code.');
    const unknown = scopes.filter((s) => this.options.scopes && !this.options.scopes.includes(s));
    if (unknown.length > 0) return page(400, `Unknown scopes: ${unknown.join(', ')}`);
    const back = new URL(redirectUri);
    if (request.method !== 'POST') {
      const fields = [...params].map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('');
      return page(
        200,
        `<h1>Connect to the emulated app</h1><p>Scopes: ${esc(scopes.join(', '))}</p>` +
          `<form method="post" action="${esc(this.authorizePath)}">${fields}` +
          `<button type="submit" name="decision" value="allow">Grant access</button>` +
          `<button type="submit" name="decision" value="deny">Deny</button></form>`,
      );
    }
    if (params.get('decision') !== 'allow') {
      back.searchParams.set('error', 'access_denied');
    } else {
      const code = token('code');
      this.codes.set(code, { redirectUri, scopes, expiresAt: this.now() + CODE_TTL_MS });
      back.searchParams.set('code', code);
    }
    if (state !== null) back.searchParams.set('state', state);
    return { status: 302, headers: { location: back.toString() }, body: '' };
  }

  private token(request: EmulatorRequest): EmulatorResponse {
    const grantType = new URLSearchParams(request.body).get('grant_type') ?? '';
    const answer = this.tokenAnswer(request, grantType);
    this.tokenRequests.push({ grantType, status: answer.status, at: this.now() });
    return answer;
  }

  private tokenAnswer(request: EmulatorRequest, grantType: string): EmulatorResponse {
    if (request.method !== 'POST') return { status: 405, body: '' };
    if (mediaType(request.headers) !== 'application/x-www-form-urlencoded') {
      return this.refused(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(request.body);
    const basic = basicCredentials(request.headers);
    const clientId = basic?.username ?? form.get('client_id');
    const clientSecret = basic?.password ?? form.get('client_secret');
    if (clientId !== this.options.clientId || clientSecret !== this.options.clientSecret) {
      return this.refused(401, 'invalid_client', 'client authentication failed');
    }
    if (grantType === 'authorization_code') {
      const code = this.codes.get(form.get('code') ?? '');
      // A code works once: a second exchange is refused like an unknown one.
      this.codes.delete(form.get('code') ?? '');
      if (!code || code.expiresAt <= this.now()) return this.refused(400, 'invalid_grant', 'unknown or expired code');
      if (form.get('redirect_uri') !== code.redirectUri) {
        return this.refused(400, 'invalid_grant', 'redirect_uri does not match the authorization request');
      }
      const grant: Grant = { refreshToken: token('rt'), scopes: code.scopes, revoked: false };
      this.grants.set(grant.refreshToken, grant);
      return this.issue(grant, true);
    }
    if (grantType === 'refresh_token') {
      const grant = this.grants.get(form.get('refresh_token') ?? '');
      if (!grant || grant.revoked) return this.refused(400, 'invalid_grant', 'refresh token revoked or unknown');
      return this.issue(grant, true);
    }
    return this.refused(400, 'invalid_request', `unsupported grant_type ${JSON.stringify(grantType)}`);
  }

  private issue(grant: Grant, withRefreshToken: boolean): EmulatorResponse {
    const accessToken = token('at');
    this.accessTokens.set(accessToken, { grant, expiresAt: this.now() + this.accessTtlMs });
    return {
      status: 200,
      body: {
        access_token: accessToken,
        token_type: 'bearer',
        expires_in: Math.round(this.accessTtlMs / 1000),
        scope: grant.scopes.join(' '),
        ...(withRefreshToken ? { refresh_token: grant.refreshToken } : {}),
        ...(typeof this.options.tokenAnswerFields === 'function'
          ? this.options.tokenAnswerFields()
          : this.options.tokenAnswerFields),
      },
    };
  }

  private refused(
    status: number,
    error: 'invalid_grant' | 'invalid_client' | 'invalid_request',
    description: string,
  ): EmulatorResponse {
    const body = this.options.grantErrorBody?.(error, description) ?? { error, error_description: description };
    return { status, body };
  }
}

/** Unguessable and distinct: 24 random bytes, with a prefix saying what it is. */
function token(kind: string): string {
  const random = randomBytes(24).toString('base64url');
  return `${kind}-${createHash('sha256').update(random).digest('hex').slice(0, 8)}-${random}`;
}

function page(status: number, html: string): EmulatorResponse {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: `<!doctype html><html><head><title>Authorize</title></head><body>${html}</body></html>`,
  };
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
