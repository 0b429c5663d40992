import { request } from 'undici';
import type { ControlPlaneClients } from '@manifold/proto';
import { oauthClientsConfig, oauthEnvPrefix, type OAuthClientConfig } from '../oauth/oauth-clients';

// A user's trip through an emulated provider's consent page, without a browser: the authorize
// URL the control plane made, "Grant access" posted, and the callback URL the provider answers.

/** The callback URL (with `code` and `state`, or `error`) the provider sends the browser to. */
export async function grantConsent(authorizeUrl: string, decision: 'allow' | 'deny' = 'allow'): Promise<URL> {
  const page = await request(authorizeUrl);
  if (page.statusCode !== 200) throw new Error(`the consent page answered ${page.statusCode}`);
  await page.body.text();
  const url = new URL(authorizeUrl);
  const form = new URLSearchParams(url.searchParams);
  form.set('decision', decision);
  const granted = await request(`${url.origin}${url.pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  await granted.body.text();
  return new URL(String(granted.headers.location));
}

/** Start → consent → complete, as the console does it for a user of this session. */
export async function connectWithOAuth(
  client: ControlPlaneClients,
  target: { workspace: string; destination: string },
  session = 'session-binding-of-the-user-0001',
  redirectUri = 'http://127.0.0.1:3000/oauth/callback',
): Promise<void> {
  const started = await client.oauth.startOAuthConnection({ ...target, redirectUri, sessionBinding: session });
  const back = await grantConsent(started.authorizeUrl);
  await client.oauth.completeOAuthConnection({
    state: back.searchParams.get('state') ?? '',
    code: back.searchParams.get('code') ?? '',
    sessionBinding: session,
  });
}

/** The control plane's OAuth app of one destination type, pointed at an emulator's authorization server. */
export function emulatorOAuthClients(
  catalogId: string,
  emulatorUrl: string,
  client: { clientId: string; clientSecret: string },
  paths: { authorize: string; token: string } = { authorize: '/oauth/authorize', token: '/oauth/token' },
): Map<string, OAuthClientConfig> {
  const prefix = oauthEnvPrefix(catalogId);
  return oauthClientsConfig([catalogId], {
    [`${prefix}_CLIENT_ID`]: client.clientId,
    [`${prefix}_CLIENT_SECRET`]: client.clientSecret,
    [`${prefix}_AUTHORIZE_URL`]: `${emulatorUrl}${paths.authorize}`,
    [`${prefix}_TOKEN_URL`]: `${emulatorUrl}${paths.token}`,
  });
}
