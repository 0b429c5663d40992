import { createHash, randomBytes } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type {
  CompleteOAuthConnectionRequest,
  CompleteOAuthConnectionResponse,
  DisconnectOAuthRequest,
  GetOAuthAccessTokenRequest,
  GetOAuthAccessTokenResponse,
  OAuthConnection,
  StartOAuthConnectionRequest,
  StartOAuthConnectionResponse,
} from '@manifold/proto';
import { isDuplicateKeyError } from '@manifold/mongo';
import type { Logger } from '@manifold/logger';
import type { SecretBox } from '@manifold/secrets';
import type { CallContext } from '../domain/context';
import { resolveDestination } from '../domain/destinations';
import { ControlPlaneError } from '../domain/errors';
import { resolveWorkspace } from '../domain/workspaces';
import type { OAuthConnectionDoc, OAuthSummaryDoc } from '../store/documents';
import type { Store } from '../store/store';
import { oauthEnvPrefix, type OAuthApp, type OAuthApps } from './oauth-clients';
import { requestTokens, type TokenAnswer } from './token-endpoint';

/** How long a user has to come back from the provider's consent page. */
const STATE_TTL_MS = 10 * 60_000;
/** Longest a refresh may hold its lease (the token request's own timeout is 10 s). */
const LEASE_MS = 20_000;
const LEASE_POLL_MS = 50;
/** Refresh leases of earlier versions are kept this long, then swept. */
const LEASE_KEEP_MS = 60 * 60_000;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * OAuth connections of destination instances: the authorization-code flow the console drives
 * (start → provider's consent page → callback → complete), the sealed tokens, and access tokens
 * for translators, refreshed by one caller at a time across every control-plane replica.
 */
export class OAuthConnections {
  private readonly holder = randomBytes(8).toString('hex');

  constructor(
    private readonly store: Store,
    private readonly apps: OAuthApps,
    private readonly box: SecretBox,
    private readonly logger: Logger,
    private readonly onChange: () => Promise<void>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async start(req: StartOAuthConnectionRequest, ctx: CallContext): Promise<StartOAuthConnectionResponse> {
    const workspace = await resolveWorkspace(this.store, req.workspace);
    const destination = await resolveDestination(this.store, workspace, req.destination);
    const app = this.appOf(destination.catalogId, destination.settings);
    if (!/^https?:\/\/[^\s#]+$/.test(req.redirectUri)) {
      throw ControlPlaneError.invalid([{ field: 'redirect_uri', message: 'must be an absolute http(s) URL' }]);
    }
    if (req.sessionBinding.length < 16) {
      throw ControlPlaneError.invalid([{ field: 'session_binding', message: 'is required (16 characters or more)' }]);
    }
    await this.store.oauthStates.deleteMany({ expiresAt: { $lt: ctx.now } });
    const state = randomBytes(32).toString('base64url');
    const expiresAt = new Date(ctx.now.getTime() + STATE_TTL_MS);
    await this.store.oauthStates.insertOne({
      _id: sha256(state),
      workspaceId: workspace._id,
      destinationId: destination._id,
      catalogId: destination.catalogId,
      sessionHash: sha256(req.sessionBinding),
      redirectUri: req.redirectUri,
      createdBy: ctx.actor,
      expiresAt,
    });
    const url = new URL(app.authorizeUrl);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', app.clientId);
    url.searchParams.set('redirect_uri', req.redirectUri);
    url.searchParams.set('scope', app.definition.scopes.join(' '));
    url.searchParams.set('state', state);
    for (const [key, value] of Object.entries(app.definition.authorizeParams ?? {})) url.searchParams.set(key, value);
    return { authorizeUrl: url.toString(), expiresAt };
  }

  async complete(req: CompleteOAuthConnectionRequest, ctx: CallContext): Promise<CompleteOAuthConnectionResponse> {
    const id = sha256(req.state);
    const pending = await this.store.oauthStates.findOne({ _id: id });
    // Single use: whoever deletes it goes on; a replayed or concurrent callback finds nothing.
    const taken = pending ? (await this.store.oauthStates.deleteOne({ _id: id })).deletedCount === 1 : false;
    if (!pending || !taken || pending.expiresAt <= ctx.now) {
      throw ControlPlaneError.failedPrecondition('this connection link is unknown, used or expired: connect again');
    }
    if (pending.sessionHash !== sha256(req.sessionBinding)) {
      throw ControlPlaneError.failedPrecondition('this connection was started in another session: connect again');
    }
    if (req.error || !req.code) {
      throw ControlPlaneError.failedPrecondition(
        `the provider did not grant access (${req.error || 'no code'}): nothing was changed`,
      );
    }
    const app = this.appOf(pending.catalogId, await this.storedSettings(pending.destinationId));
    const result = await requestTokens(app, {
      grant_type: 'authorization_code',
      code: req.code,
      redirect_uri: pending.redirectUri,
    });
    if (result.kind !== 'tokens') {
      throw ControlPlaneError.failedPrecondition(`the code could not be exchanged: ${result.message}`);
    }
    const { tokens } = result;
    if (!tokens.refreshToken) {
      throw ControlPlaneError.failedPrecondition(
        'the provider gave no refresh token: check the app allows offline access',
      );
    }
    const current = await this.store.oauthConnections.findOne({ _id: pending.destinationId });
    const doc: OAuthConnectionDoc = {
      _id: pending.destinationId,
      workspaceId: pending.workspaceId,
      catalogId: pending.catalogId,
      refreshToken: this.box.seal(tokens.refreshToken),
      version: (current?.version ?? 0) + 1,
      state: 'connected',
      ...this.accessFields(tokens, ctx.now),
    };
    await this.store.oauthConnections.replaceOne({ _id: doc._id }, doc, { upsert: true });
    const summary: OAuthSummaryDoc = {
      state: 'connected',
      connectedAt: ctx.now,
      connectedBy: ctx.actor,
      problem: '',
      problemAt: null,
    };
    await this.store.destinations.updateOne(
      { _id: pending.destinationId },
      { $set: { oauth: summary, ...this.keptSettings(app, tokens) } },
    );
    await this.onChange();
    this.logger.info({ destination: pending.destinationId, by: ctx.actor }, 'OAuth connection made');
    return {
      workspaceId: pending.workspaceId,
      destinationId: pending.destinationId,
      connection: { state: 'connected', connectedAt: ctx.now, connectedBy: ctx.actor, problem: '' },
    };
  }

  async disconnect(req: DisconnectOAuthRequest): Promise<OAuthConnection> {
    const workspace = await resolveWorkspace(this.store, req.workspace);
    const destination = await resolveDestination(this.store, workspace, req.destination);
    await this.store.oauthConnections.deleteOne({ _id: destination._id });
    await this.store.destinations.updateOne({ _id: destination._id }, { $unset: { oauth: '' } });
    await this.onChange();
    return { state: 'not_connected', connectedBy: '', problem: '' };
  }

  /** Forgets the tokens of a deleted destination. */
  async forget(destinationId: string): Promise<void> {
    await this.store.oauthConnections.deleteOne({ _id: destinationId });
  }

  /**
   * A current access token of an instance, for translators. A token about to expire, or the one an
   * API just refused, is refreshed first: by the caller that inserts the refresh lease of the
   * current version; the others wait until the version moves on and take the new token.
   */
  async accessToken(req: GetOAuthAccessTokenRequest): Promise<GetOAuthAccessTokenResponse> {
    for (;;) {
      const connection = await this.store.oauthConnections.findOne({ _id: req.destinationId });
      if (!connection) throw ControlPlaneError.failedPrecondition('not connected: connect it in the console');
      if (connection.state === 'reconnect_needed') {
        throw ControlPlaneError.failedPrecondition('reconnect needed: the provider refused the refresh token');
      }
      const token = this.box.open(connection.accessToken);
      if (connection.refreshAfter > this.now() && token !== req.rejectedToken) {
        return { accessToken: token, expiresAt: connection.expiresAt, refreshAfter: connection.refreshAfter };
      }
      const lease = `${connection._id}:${connection.version}`;
      if (await this.takeLease(lease)) return this.refresh(connection, lease);
      await this.awaitVersionAfter(connection, lease);
    }
  }

  private async refresh(connection: OAuthConnectionDoc, lease: string): Promise<GetOAuthAccessTokenResponse> {
    const app = this.appOf(connection.catalogId, await this.storedSettings(connection._id));
    const result = await requestTokens(app, {
      grant_type: 'refresh_token',
      refresh_token: this.box.open(connection.refreshToken),
    });
    const now = this.now();
    if (result.kind === 'failed') {
      await this.store.oauthRefreshLeases.deleteOne({ _id: lease });
      this.logger.warn(
        { destination: connection._id, reason: result.message },
        'OAuth token refresh failed; will retry',
      );
      throw new ControlPlaneError(status.UNAVAILABLE, `the access token could not be refreshed: ${result.message}`);
    }
    if (result.kind === 'revoked') {
      await this.store.oauthConnections.updateOne({ _id: connection._id }, { $set: { state: 'reconnect_needed' } });
      await this.store.destinations.updateOne(
        { _id: connection._id },
        { $set: { 'oauth.state': 'reconnect_needed', 'oauth.problem': result.message, 'oauth.problemAt': now } },
      );
      await this.onChange();
      this.logger.warn({ destination: connection._id, reason: result.message }, 'OAuth connection needs reconnecting');
      throw ControlPlaneError.failedPrecondition(`reconnect needed: ${result.message}`);
    }
    const { tokens } = result;
    const fields = this.accessFields(tokens, now);
    await this.store.oauthConnections.updateOne(
      { _id: connection._id, version: connection.version },
      {
        $set: {
          ...fields,
          version: connection.version + 1,
          ...(tokens.refreshToken ? { refreshToken: this.box.seal(tokens.refreshToken) } : {}),
        },
      },
    );
    const kept = this.keptSettings(app, tokens);
    if (Object.keys(kept).length > 0) {
      await this.store.destinations.updateOne({ _id: connection._id }, { $set: kept });
      await this.onChange();
    }
    await this.store.oauthRefreshLeases.deleteMany({ takenAt: { $lt: new Date(now.getTime() - LEASE_KEEP_MS) } });
    this.logger.info({ destination: connection._id, version: connection.version + 1 }, 'OAuth access token refreshed');
    return { accessToken: tokens.accessToken, expiresAt: fields.expiresAt, refreshAfter: fields.refreshAfter };
  }

  /** Inserts the lease; false when another caller holds it (an abandoned one past `until` is taken over). */
  private async takeLease(id: string): Promise<boolean> {
    const now = this.now();
    const lease = { _id: id, holder: this.holder, takenAt: now, until: new Date(now.getTime() + LEASE_MS) };
    try {
      await this.store.oauthRefreshLeases.insertOne(lease);
      return true;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    // Its holder died mid-refresh: free it, and let the next round insert again.
    await this.store.oauthRefreshLeases.deleteOne({ _id: id, until: { $lt: now } });
    return false;
  }

  /** Waits while the lease's holder refreshes: until the version moves on, the lease goes, or it expires. */
  private async awaitVersionAfter(connection: OAuthConnectionDoc, lease: string): Promise<void> {
    const deadline = this.now().getTime() + LEASE_MS;
    while (this.now().getTime() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, LEASE_POLL_MS));
      const current = await this.store.oauthConnections.findOne(
        { _id: connection._id },
        { projection: { version: 1, state: 1 } },
      );
      if (!current || current.version !== connection.version || current.state !== connection.state) return;
      if (!(await this.store.oauthRefreshLeases.findOne({ _id: lease }, { projection: { _id: 1 } }))) return;
    }
  }

  private accessFields(
    tokens: TokenAnswer,
    now: Date,
  ): Pick<OAuthConnectionDoc, 'accessToken' | 'expiresAt' | 'refreshAfter'> {
    // Ask again a quarter of the lifetime early, at most 5 minutes: no request leaves with a token about to lapse.
    const margin = Math.min(5 * 60_000, tokens.expiresInMs / 4);
    return {
      accessToken: this.box.seal(tokens.accessToken),
      expiresAt: new Date(now.getTime() + tokens.expiresInMs),
      refreshAfter: new Date(now.getTime() + tokens.expiresInMs - margin),
    };
  }

  /** Fields of the token answer the definition keeps, as `settings.<name>` updates. */
  private keptSettings(app: OAuthApp, tokens: TokenAnswer): Record<string, unknown> {
    const set: Record<string, unknown> = {};
    for (const [field, setting] of Object.entries(app.definition.keep ?? {})) {
      const value = tokens.fields[field];
      if (typeof value === 'string' && value) set[`settings.${setting}`] = value;
    }
    return set;
  }

  /** An instance's stored settings: the endpoints it uses may depend on them (a Salesforce sandbox). */
  private async storedSettings(destinationId: string): Promise<Record<string, unknown>> {
    const doc = await this.store.destinations.findOne({ _id: destinationId }, { projection: { settings: 1 } });
    return doc?.settings ?? {};
  }

  private appOf(catalogId: string, settings: Readonly<Record<string, unknown>>): OAuthApp {
    const app = this.apps.get(catalogId, settings);
    if (!app) {
      throw ControlPlaneError.failedPrecondition(
        `${catalogId} has no OAuth app configured on the control plane (${oauthEnvPrefix(catalogId)}_CLIENT_ID and _CLIENT_SECRET)`,
      );
    }
    return app;
  }
}
