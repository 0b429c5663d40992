// Connecting a destination with OAuth in Chromium: the destination page's "Connect" → the
// provider's consent page (the HubSpot emulator's) → the console's callback → the page shows it
// connected. No token ever reaches the browser or the Public API. A revoked grant shows
// "Reconnect needed", and "Reconnect" makes it connected again. A callback from another session
// is refused.
import { rmSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { HubspotEmulator } from '@manifold/emulators';
import { ConsoleClient } from '../testing/http-client';
import { buildWebApp, collectCspViolations, expectText, launchChromium, signInAs } from '../testing/browser';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';
import { emulatorOAuthClients, grantConsent } from '../../../control-plane/src/test-support/oauth-consent';

const OWNER = 'owner@acme.test';
const PASSWORD = 'a long passphrase';
const CLIENT = { clientId: 'manifold-console-app', clientSecret: 'manifold-console-app-secret' };

jest.setTimeout(120_000);

describe('OAuth connection in a browser', () => {
  let hs: HubspotEmulator;
  let stack: ConsoleStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let webRoot: string;
  let url: string;
  let api: ConsoleClient;
  let destinationId: string;
  let cspViolations: string[] = [];
  /** Every response body the browser received, to look for tokens in. */
  const seen: string[] = [];

  beforeAll(async () => {
    webRoot = buildWebApp();
    hs = await new HubspotEmulator({ portalId: '4242', oauth: { ...CLIENT, accessTokenTtlSeconds: 1800 } }).start();
    stack = await startConsoleStack({
      catalog: 'default',
      webRoot,
      oauthClients: emulatorOAuthClients('hubspot', hs.baseUrl, CLIENT),
    });
    url = stack.console.url;
    api = new ConsoleClient(url);
    expect((await api.setup(OWNER, PASSWORD, 'acme', 'Acme')).status).toBe(201);
    const created = await api.call<{ id: string }>('POST', '/api/v1/workspaces/acme/destinations', {
      name: 'HubSpot',
      catalogId: 'hubspot',
      settings: { portalId: '4242', apiBaseUrl: hs.baseUrl },
    });
    expect(created.status).toBe(201);
    destinationId = created.body.id;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    cspViolations = collectCspViolations(context);
    context.on('response', (response) => {
      void response.text().then(
        (text) => seen.push(text),
        () => undefined,
      );
    });
    page = await context.newPage();
    await signInAs(page, url, OWNER, PASSWORD);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await hs?.close();
    if (webRoot) rmSync(webRoot, { recursive: true, force: true });
  });

  const destinationPage = () => `${url}/acme/destinations/${destinationId}`;
  const currentToken = async () =>
    (await stack.controlPlane.domain.oauth.accessToken({ destinationId, rejectedToken: '' })).accessToken;

  it('Connect → consent page → callback → the destination shows connected; no token in the page or the API', async () => {
    await page.goto(destinationPage());
    await expectText(page, 'section[aria-label=Connection]', 'Not connected');
    await page.getByRole('button', { name: 'Connect HubSpot' }).click();
    await page.waitForURL(`${hs.baseUrl}/oauth/authorize?**`);
    await page.getByRole('button', { name: 'Grant access' }).click();
    await page.waitForURL(destinationPage());
    await expectText(page, 'section[aria-label=Connection]', 'Connected');
    await expectText(page, 'section[aria-label=Connection]', `by ${OWNER}`);

    const token = await currentToken();
    expect(hs.oauth?.checkBearer(`Bearer ${token}`)).toBe('valid');
    const read = await api.call('GET', `/api/v1/workspaces/acme/destinations/${destinationId}`);
    expect(read.body).toMatchObject({ oauth: { state: 'connected', connectedBy: OWNER } });
    expect(JSON.stringify(read.body)).not.toContain(token);
    expect(await page.content()).not.toContain(token);
    // The browser's reads were captured (the connected state among them), and hold no token.
    expect(seen.join('\n')).toContain('"state":"connected"');
    expect(seen.join('\n')).not.toContain(token);
    expect(seen.join('\n')).not.toContain('enc:v1:');
    expect(cspViolations).toEqual([]);
  });

  it('a callback that comes back in another session is refused, and changes nothing', async () => {
    // The API client's session starts a connection; the browser's session brings its callback.
    const started = await api.call<{ authorizeUrl: string }>(
      'POST',
      `/api/v1/workspaces/acme/destinations/${destinationId}/oauth/connect`,
      {},
    );
    expect(started.status).toBe(200);
    const callback = await grantConsent(started.body.authorizeUrl);
    expect(callback.pathname).toBe('/oauth/callback');
    const before = await currentToken();
    await page.goto(callback.toString());
    await expectText(page, '[role=alert]', 'started in another session');
    expect(await currentToken()).toBe(before);
  });

  it('a revoked grant shows "Reconnect needed"; Reconnect makes it connected again', async () => {
    hs.oauth?.revokeAll();
    await expect(
      stack.controlPlane.domain.oauth.accessToken({ destinationId, rejectedToken: await currentToken() }),
    ).rejects.toThrow('reconnect needed');
    await page.goto(destinationPage());
    await expectText(page, 'section[aria-label=Connection]', 'Reconnect needed');
    await expectText(page, 'section[aria-label=Connection] [role=alert]', 'invalid_grant');
    const read = await api.call('GET', `/api/v1/workspaces/acme/destinations/${destinationId}`);
    expect(read.body).toMatchObject({
      oauth: { state: 'reconnect_needed', problem: expect.stringContaining('invalid_grant') },
    });

    await page.getByRole('button', { name: 'Reconnect HubSpot' }).click();
    await page.getByRole('button', { name: 'Grant access' }).click();
    await page.waitForURL(destinationPage());
    await expectText(page, 'section[aria-label=Connection] .badge', 'Connected');
    expect(hs.oauth?.checkBearer(`Bearer ${await currentToken()}`)).toBe('valid');
    expect(seen.join('\n')).not.toContain(await currentToken());
  });
});
