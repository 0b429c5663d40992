import { status } from '@grpc/grpc-js';
import { hubspot } from '@manifold/destinations';
import { HubspotEmulator } from '@manifold/emulators';
import { connectControlPlane } from '@manifold/proto';
import { testInfrastructure, testLogger } from '@manifold/testing';
import { defaultCatalog } from '../default-catalog';
import { cliRunner, startTestControlPlane, grpcError, testSecretKey, type Harness } from '../test-support/harness';
import { startControlPlane, type ControlPlane } from '../start-control-plane';
import { emulatorOAuthClients, grantConsent } from '../test-support/oauth-consent';

// The OAuth connection of a HubSpot instance against the HubSpot emulator's authorization server,
// with two control-plane replicas on one real database (FerretDB here).

const CLIENT = { clientId: 'manifold-app', clientSecret: 'manifold-app-secret-1234' };
const CALLBACK = 'http://127.0.0.1:3000/oauth/callback';
const SESSION = 'session-binding-of-the-user-0001';

describe('OAuth connections', () => {
  let hs: HubspotEmulator;
  let h: Harness;
  let second: ControlPlane;
  let secondClient: ReturnType<typeof connectControlPlane>;

  beforeAll(async () => {
    hs = await new HubspotEmulator({
      portalId: '4242',
      oauth: {
        ...CLIENT,
        // The app is registered with the scopes the destination asks for.
        scopes: hubspot.oauth?.scopes ?? [],
      },
    }).start();
    const oauthClients = emulatorOAuthClients('hubspot', hs.baseUrl, CLIENT);
    const secretKey = testSecretKey();
    h = await startTestControlPlane({ catalog: defaultCatalog(), oauthClients, secretKey });
    second = await startControlPlane({
      mongoUrl: testInfrastructure().mongoUrl,
      database: h.database,
      grpcPort: 0,
      token: h.token,
      secretKey,
      logger: testLogger('control-plane-2'),
      catalog: defaultCatalog(),
      oauthClients,
      autoDisable: { enabled: false },
    });
    secondClient = connectControlPlane({ address: second.address, token: h.token, actor: 'translator' });
    await h.client.workspaces.createWorkspace({ slug: 'oauth', name: 'OAuth', ownerEmail: 'o@x.test', members: [] });
    await h.client.destinations.createDestination({
      workspace: 'oauth',
      name: 'crm',
      catalogId: 'hubspot',
      settings: { portalId: '4242', apiBaseUrl: hs.baseUrl },
    });
  }, 30_000);

  afterAll(async () => {
    secondClient?.close();
    await second?.stop();
    await h?.stop();
    await hs?.close();
  });

  async function connect(sessionBinding = SESSION): Promise<URL> {
    const started = await h.client.oauth.startOAuthConnection({
      workspace: 'oauth',
      destination: 'crm',
      redirectUri: CALLBACK,
      sessionBinding,
    });
    const authorize = new URL(started.authorizeUrl);
    expect(authorize.searchParams.get('scope')).toBe(
      'oauth crm.objects.contacts.read crm.objects.contacts.write crm.objects.companies.read crm.objects.companies.write analytics.behavioral_events.send',
    );
    expect(authorize.searchParams.get('client_id')).toBe(CLIENT.clientId);
    expect(authorize.searchParams.get('state')?.length).toBeGreaterThanOrEqual(40);
    return grantConsent(started.authorizeUrl);
  }

  const destinationId = async () =>
    (await h.client.destinations.getDestination({ workspace: 'oauth', destination: 'crm' })).id;

  it('connects: a single-use state bound to the session, tokens sealed, reads show only the state', async () => {
    expect(
      (await h.client.destinations.getDestination({ workspace: 'oauth', destination: 'crm' })).oauth,
    ).toMatchObject({
      state: 'not_connected',
    });

    // A callback from another session is refused, and uses up the state.
    const stolen = await connect();
    const refused = await grpcError(
      h.client.oauth.completeOAuthConnection({
        state: stolen.searchParams.get('state') ?? '',
        code: stolen.searchParams.get('code') ?? '',
        sessionBinding: 'another-session-binding-0002',
      }),
    );
    expect(refused.code).toBe(status.FAILED_PRECONDITION);
    expect(refused.details).toContain('another session');

    const back = await connect();
    const done = await h.client.oauth.completeOAuthConnection({
      state: back.searchParams.get('state') ?? '',
      code: back.searchParams.get('code') ?? '',
      sessionBinding: SESSION,
    });
    expect(done.connection).toMatchObject({ state: 'connected', connectedBy: 'tester@example.com' });
    // The same callback again: the state is used.
    const replay = await grpcError(
      h.client.oauth.completeOAuthConnection({
        state: back.searchParams.get('state') ?? '',
        code: back.searchParams.get('code') ?? '',
        sessionBinding: SESSION,
      }),
    );
    expect(replay.details).toContain('unknown, used or expired');

    const read = await h.client.destinations.getDestination({ workspace: 'oauth', destination: 'crm' });
    expect(read.oauth).toMatchObject({ state: 'connected' });
    const token = await secondClient.oauth.getOAuthAccessToken({ destinationId: read.id });
    expect(hs.oauth?.checkBearer(`Bearer ${token.accessToken}`)).toBe('valid');
    // Neither token is in any read, nor in the clear in the database.
    const raw = JSON.stringify(await h.controlPlane.domain.store.db.collection('oauth_connections').find({}).toArray());
    expect(raw).not.toContain(token.accessToken);
    expect(raw).toContain('enc:v1:');
    expect(JSON.stringify(read)).not.toContain(token.accessToken);
    const listed = await h.client.destinations.listDestinations({ workspace: 'oauth' });
    expect(JSON.stringify(listed)).not.toContain('enc:v1:');
  });

  it('a refused token is refreshed once however many callers on however many replicas report it', async () => {
    const id = await destinationId();
    const before = await h.client.oauth.getOAuthAccessToken({ destinationId: id });
    const refreshes = hs.oauth?.refreshCount() ?? 0;
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_v, i) =>
        (i % 2 ? secondClient : h.client).oauth.getOAuthAccessToken({
          destinationId: id,
          rejectedToken: before.accessToken,
        }),
      ),
    );
    expect(hs.oauth?.refreshCount()).toBe(refreshes + 1);
    expect(new Set(answers.map((a) => a.accessToken)).size).toBe(1);
    expect(answers[0]?.accessToken).not.toBe(before.accessToken);
    // A 401 with a token already replaced gets the current one, without another refresh.
    await h.client.oauth.getOAuthAccessToken({ destinationId: id, rejectedToken: before.accessToken });
    expect(hs.oauth?.refreshCount()).toBe(refreshes + 1);
  });

  it('refreshes before expiry: callers are told to ask again before the token lapses', async () => {
    const id = await destinationId();
    hs.oauth?.setAccessTokenTtl(2);
    const current = await h.client.oauth.getOAuthAccessToken({
      destinationId: id,
      rejectedToken: (await h.client.oauth.getOAuthAccessToken({ destinationId: id })).accessToken,
    });
    expect(current.refreshAfter!.getTime()).toBeLessThan(current.expiresAt!.getTime());
    expect(current.expiresAt!.getTime() - current.refreshAfter!.getTime()).toBe(500);
    await new Promise((resolve) => setTimeout(resolve, current.refreshAfter!.getTime() - Date.now() + 20));
    const refreshes = hs.oauth?.refreshCount() ?? 0;
    const next = await secondClient.oauth.getOAuthAccessToken({ destinationId: id });
    expect(hs.oauth?.refreshCount()).toBe(refreshes + 1);
    expect(next.accessToken).not.toBe(current.accessToken);
    hs.oauth?.setAccessTokenTtl(1800);
  });

  it('a revoked grant: "reconnect needed" in reads, FAILED_PRECONDITION for translators, until connected again', async () => {
    const id = await destinationId();
    const current = await h.client.oauth.getOAuthAccessToken({ destinationId: id });
    hs.oauth?.revokeAll();
    const refused = await grpcError(
      h.client.oauth.getOAuthAccessToken({ destinationId: id, rejectedToken: current.accessToken }),
    );
    expect(refused.code).toBe(status.FAILED_PRECONDITION);
    expect(refused.details).toContain('reconnect needed');
    expect(refused.details).not.toContain(current.accessToken);
    const read = await secondClient.destinations.getDestination({ workspace: 'oauth', destination: 'crm' });
    expect(read.oauth).toMatchObject({ state: 'reconnect_needed', problem: expect.stringContaining('invalid_grant') });
    const shown = await cliRunner(h)('destinations', 'get', 'oauth', 'crm');
    expect(shown.out).toMatch(/connection:\s+reconnect_needed/);
    expect(shown.out).toContain('invalid_grant');

    const back = await connect();
    await h.client.oauth.completeOAuthConnection({
      state: back.searchParams.get('state') ?? '',
      code: back.searchParams.get('code') ?? '',
      sessionBinding: SESSION,
    });
    expect(
      (await h.client.destinations.getDestination({ workspace: 'oauth', destination: 'crm' })).oauth,
    ).toMatchObject({
      state: 'connected',
      problem: '',
    });
    const token = await secondClient.oauth.getOAuthAccessToken({ destinationId: id });
    expect(hs.oauth?.checkBearer(`Bearer ${token.accessToken}`)).toBe('valid');
  });

  it('types without an OAuth app, and catalog entries, say so', async () => {
    const entry = await h.client.catalog.getCatalogEntry({ id: 'hubspot' });
    expect(entry.oauthScopes).toContain('crm.objects.contacts.write');
    await h.client.destinations.createDestination({
      workspace: 'oauth',
      name: 'hook',
      catalogId: 'webhook',
      settings: { url: 'https://example.com/hook' },
    });
    const hook = await h.client.destinations.getDestination({ workspace: 'oauth', destination: 'hook' });
    expect(hook.oauth).toBeUndefined();
    const refused = await grpcError(
      h.client.oauth.startOAuthConnection({
        workspace: 'oauth',
        destination: 'hook',
        redirectUri: CALLBACK,
        sessionBinding: SESSION,
      }),
    );
    expect(refused.details).toContain('no OAuth app configured');
  });
});
