import { env, loadConfig, requiredTogether, type ConfigCheck } from '@manifold/config';
import { destinationById } from '@manifold/destinations';
import type { z } from 'zod';
import type { OAuthConnectionDefinition } from '@manifold/destination-kit';

// The operator's OAuth apps, one per destination type that connects with OAuth: the client id and
// secret the provider issued when the operator registered Manifold with it. They are
// configuration of the control plane (`OAUTH_<TYPE>_CLIENT_ID`, `OAUTH_<TYPE>_CLIENT_SECRET`),
// never settings of an instance. `OAUTH_<TYPE>_AUTHORIZE_URL` and `OAUTH_<TYPE>_TOKEN_URL` point a
// type at another authorization server (a sandbox, or the emulators in tests).

export interface OAuthClientConfig {
  clientId: string;
  clientSecret: string;
  authorizeUrl?: string | undefined;
  tokenUrl?: string | undefined;
}

/** One destination type's OAuth app: its definition's endpoints, the operator's client. */
export interface OAuthApp {
  catalogId: string;
  definition: OAuthConnectionDefinition<never>;
  clientId: string;
  clientSecret: string;
  authorizeUrl: string;
  tokenUrl: string;
}

/** `hubspot` → `OAUTH_HUBSPOT`, `google-ads` → `OAUTH_GOOGLE_ADS`: the prefix of a type's variables. */
export function oauthEnvPrefix(catalogId: string): string {
  return `OAUTH_${catalogId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * The apps by catalog id, read with the one config loader (a bad URL, or a client id without its
 * secret, stops the service with every problem listed; the secrets are never shown).
 */
export function oauthClientsConfig(
  catalogIds: readonly string[],
  source: NodeJS.ProcessEnv = process.env,
): Map<string, OAuthClientConfig> {
  const shape: Record<string, z.ZodType<string | undefined>> = {};
  for (const id of catalogIds) {
    const prefix = oauthEnvPrefix(id);
    shape[`${prefix}_CLIENT_ID`] = env.string().optional();
    shape[`${prefix}_CLIENT_SECRET`] = env.string().optional();
    shape[`${prefix}_AUTHORIZE_URL`] = env.url(['http', 'https']).optional();
    shape[`${prefix}_TOKEN_URL`] = env.url(['http', 'https']).optional();
  }
  const together: ConfigCheck<Record<string, string | undefined>> = (config) =>
    catalogIds.flatMap((id) =>
      requiredTogether(config, `${oauthEnvPrefix(id)}_CLIENT_ID`, `${oauthEnvPrefix(id)}_CLIENT_SECRET`),
    );
  const config = loadConfig('control-plane', shape, source, [together]) as Record<string, string | undefined>;
  const apps = new Map<string, OAuthClientConfig>();
  for (const id of catalogIds) {
    const prefix = oauthEnvPrefix(id);
    const clientId = config[`${prefix}_CLIENT_ID`];
    const clientSecret = config[`${prefix}_CLIENT_SECRET`];
    if (!clientId || !clientSecret) continue;
    apps.set(id, {
      clientId,
      clientSecret,
      authorizeUrl: config[`${prefix}_AUTHORIZE_URL`],
      tokenUrl: config[`${prefix}_TOKEN_URL`],
    });
  }
  return apps;
}

export class OAuthApps {
  constructor(private readonly clients: ReadonlyMap<string, OAuthClientConfig> = new Map()) {}

  /**
   * The app of a destination type, with the endpoints an instance's stored `settings` pick (see
   * `endpointsBySetting`): undefined when the type has no OAuth, or the operator configured none.
   */
  get(catalogId: string, settings: Readonly<Record<string, unknown>> = {}): OAuthApp | undefined {
    const definition = destinationById(catalogId)?.oauth as OAuthConnectionDefinition<never> | undefined;
    const client = this.clients.get(catalogId);
    if (!definition || !client) return undefined;
    const picked = definition.endpointsBySetting;
    const value = picked ? settings[picked.setting] : undefined;
    const endpoints = (picked && typeof value === 'string' ? picked.values[value] : undefined) ?? definition;
    return {
      catalogId,
      definition,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      authorizeUrl: client.authorizeUrl ?? endpoints.authorizeUrl,
      tokenUrl: client.tokenUrl ?? endpoints.tokenUrl,
    };
  }
}
