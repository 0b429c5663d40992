// The console in a real browser (Debian's Chromium via playwright-core) against a real control
// plane, the real ingestion service with analytics.js, Kafka and FerretDB.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { WebhookEmulator } from '@manifold/emulators';
import { requireKafka, testInfrastructure } from '@manifold/testing';
import { ConsoleClient } from '../testing/http-client';
import { buildWebApp, collectCspViolations, expectText, launchChromium } from '../testing/browser';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';

const OWNER = 'owner@acme.test';
const PASSWORD = 'a long passphrase';
const SCREENSHOTS =
  process.env['CONSOLE_SCREENSHOTS'] === '1' ? join(__dirname, '..', '..', 'docs', 'screenshots') : undefined;

jest.setTimeout(120_000);

/** What callbacks run inside the page use (this program's types have no DOM library). */
interface PageGlobals {
  navigator: { clipboard: { readText(): Promise<string> } };
  analytics?: { initialized?: boolean };
  document: {
    querySelectorAll(
      selector: string,
    ): ArrayLike<{ textContent: string | null; getAttribute(name: string): string | null }>;
  };
}

/** A customer's website: any page that pastes the snippet from the Source page. */
function startSite(): Promise<{ url: string; setSnippet(html: string): void; close(): Promise<void> }> {
  let snippet = '';
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><head><title>Acme shop</title>${snippet}</head>
      <body><h1>Acme shop</h1>
      <button id="signup" onclick="analytics.track('Signed Up', { plan: 'pro' })">Sign up</button></body></html>`);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        setSnippet: (html) => (snippet = html),
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  );
}

async function shot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

describe('console in a browser', () => {
  let stack: ConsoleStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let site: Awaited<ReturnType<typeof startSite>>;
  let webRoot: string;
  let consoleUrl: string;
  let writeKey = '';
  let receiver: WebhookEmulator;
  let cspViolations: string[] = [];

  beforeAll(async () => {
    await requireKafka(testInfrastructure().kafkaBrokers);
    webRoot = buildWebApp();
    // The real catalog (destinations defined in code) and the real data plane: ingestion, Kafka and
    // the translator for webhooks, delivering to a webhook receiver that checks requests.
    receiver = await new WebhookEmulator().start();
    stack = await startConsoleStack({ catalog: 'default', dataPlane: { translatorTypes: ['webhook'] }, webRoot });
    consoleUrl = stack.console.url;
    site = await startSite();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: consoleUrl });
    cspViolations = collectCspViolations(context);
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await stack?.stop();
    await receiver?.close();
    if (webRoot) rmSync(webRoot, { recursive: true, force: true });
  });

  it('sets up the first owner on first run, signs out and signs in again', async () => {
    await page.goto(consoleUrl);
    await page.waitForURL('**/setup');
    await page.fill('#email', OWNER);
    await page.fill('#password', PASSWORD);
    await page.fill('#workspaceName', 'Acme');
    await page.getByRole('button', { name: 'Create owner and workspace' }).click();
    await page.waitForURL('**/acme/sources');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/signin');
    await shot(page, 'sign-in');
    await page.fill('#email', OWNER);
    await page.fill('#password', 'not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(page, '[role=alert]', 'wrong email or password');
    await page.fill('#password', PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/acme/sources');
  });

  it('creates a source and copies its write key', async () => {
    await page.getByRole('button', { name: 'Add source' }).click();
    await page.fill('#source-name', 'Website');
    await page.getByRole('button', { name: 'Create source' }).click();
    await page.waitForURL('**/acme/sources/website');
    writeKey = (await page.textContent('[data-testid=write-key]')) ?? '';
    expect(writeKey.length).toBeGreaterThan(10);
    await page.getByRole('button', { name: 'Copy write key' }).click();
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).navigator.clipboard.readText())).toBe(
      writeKey,
    );
  });

  it('shows the page and track calls of a site with the snippet in the live debugger, and rejected events with reasons', async () => {
    const snippet = (await page.textContent('[data-testid=snippet]')) ?? '';
    expect(snippet).toContain(`${stack.dataPlane!.url}/analytics.js/v1/`);
    expect(snippet).toContain(writeKey);
    await expectText(page, '[data-testid=debugger-state]', 'live');
    site.setSnippet(snippet);

    const shop = await context.newPage();
    const failed: string[] = [];
    shop.on('requestfailed', (r) => failed.push(r.url()));
    await shop.goto(site.url);
    await shop.waitForFunction(() => (globalThis as unknown as PageGlobals).analytics?.initialized === true);
    await shop.click('#signup');
    await page.waitForSelector('[data-testid=debugger-events] li[data-status=accepted][data-type=page]');
    await page.waitForSelector('[data-testid=debugger-events] li[data-status=accepted][data-type=track]');
    await expectText(page, '[data-testid=debugger-events] li[data-type=track] .debugger-name', 'Signed Up');
    // Each row says whom the event is about: analytics.js sends an anonymousId before any identify.
    await expectText(page, '[data-testid=debugger-events] li[data-type=track] [data-testid=debugger-user]', 'anon ');
    // Everything analytics.js asked for (bundle, settings, events) was served by the local ingestion.
    expect(failed).toEqual([]);

    // A call without userId or anonymousId is refused by ingestion; the debugger says why.
    await shop.evaluate(
      async ([url, key]) => {
        const response = await fetch(`${url}/v1/track`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify({ writeKey: key, event: 'Anonymous Click' }),
        });
        return response.status;
      },
      [stack.dataPlane!.url, writeKey] as const,
    );
    await expectText(
      page,
      '[data-testid=debugger-events] li[data-status=rejected] [data-testid=debugger-reason]',
      'no_user_anon_id',
    );
    await shop.close();
    await shot(page, 'source');
  });

  it('chooses five columns, refuses a sixth with the reason, and sorts and filters the shown columns', async () => {
    const api = new ConsoleClient(consoleUrl);
    await api.signIn(OWNER, PASSWORD);
    for (const [slug, environment, type] of [
      ['checkout-api', 'prod', 'node'],
      ['billing-worker', 'dev', 'python'],
      ['ios-app', 'dev', 'ios'],
    ] as const) {
      const created = await api.call('POST', '/api/v1/workspaces/acme/sources', {
        slug,
        name: slug,
        environment,
        type,
        category: type === 'ios' ? 'mobile' : 'server',
      });
      expect(created.status).toBe(201);
    }
    await page.goto(`${consoleUrl}/acme/sources`);
    await expectText(page, '[data-testid=row-count]', '4 rows');
    await page.click('.column-picker summary');
    await page.click('input[name=column-type]');
    await page.waitForSelector('th[data-column=type]');
    await page.click('input[name=column-category]');
    await page.waitForSelector('th[data-column=category]');
    await page.click('input[name=column-created_at]');
    await expectText(page, '[data-testid=column-limit-message]', 'at most 5 columns');
    expect(await page.isChecked('input[name=column-created_at]')).toBe(false);
    expect(await headers(page)).toEqual(['name', 'status', 'environment', 'destinations', 'type', 'category']);
    await page.click('.column-picker summary');

    // Sort by type (ascending, then descending), done by the control plane.
    await page.click('th[data-column=type] .sort-button');
    await waitForNames(page, ['ios-app', 'Website', 'checkout-api', 'billing-worker']);
    await page.click('th[data-column=type] .sort-button');
    await waitForNames(page, ['billing-worker', 'checkout-api', 'Website', 'ios-app']);

    // Filter environment = dev, then also category = mobile.
    await page.click('[data-testid=filter-environment] summary');
    await page.check('[data-testid=filter-environment] input[value=dev]');
    await waitForNames(page, ['billing-worker', 'ios-app']);
    await page.click('[data-testid=filter-category] summary');
    await page.check('[data-testid=filter-category] input[value=mobile]');
    await waitForNames(page, ['ios-app']);
    await shot(page, 'sources');

    // The choice persists for the user.
    await page.reload();
    await page.waitForSelector('th[data-column=category]');
    expect(await headers(page)).toEqual(['name', 'status', 'environment', 'destinations', 'type', 'category']);
  });

  it('adds a destination from the catalog: a bad setting shows on its field, then a good one saves', async () => {
    await page.goto(`${consoleUrl}/acme/catalog`);
    await page.waitForSelector('[data-entry=webhook]');
    const all = await entries(page);
    expect(all.length).toBeGreaterThan(3);
    await page.fill('input[type=search]', 'webhook');
    await page.waitForFunction(
      () => (globalThis as unknown as PageGlobals).document.querySelectorAll('[data-entry]').length === 1,
    );
    expect(await entries(page)).toEqual(['webhook']);
    await page.fill('input[type=search]', '');
    await page.click('.catalog-categories button:has-text("Warehouses")');
    await page.waitForFunction(
      (count) => (globalThis as unknown as PageGlobals).document.querySelectorAll('[data-entry]').length < count,
      all.length,
    );
    const warehouses = await page.$$eval('[data-entry]', (els) => els.map((e) => e.textContent ?? ''));
    expect(warehouses.length).toBeGreaterThan(0);
    for (const text of warehouses) expect(text).toContain('Warehouses');
    await page.click('.catalog-categories button:has-text("All")');
    await page.waitForFunction(
      (count) => (globalThis as unknown as PageGlobals).document.querySelectorAll('[data-entry]').length === count,
      all.length,
    );
    await shot(page, 'catalog');

    await page.click('[data-entry=webhook] button');
    await page.check('input[name=source-website]');
    await page.fill('#setting-url', 'not a url');
    await page.getByRole('button', { name: 'Save destination' }).click();
    const fieldError = page.locator('#setting-url-error');
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toBe('must be a URL such as https://example.com/path');

    await shot(page, 'add-destination');
    await page.fill('#setting-url', `${receiver.baseUrl}/hook`);
    // The credentials the catalog entry names (its `secrets`) are password fields; a URL is not.
    expect(await page.getAttribute('#setting-sharedSecret', 'type')).toBe('password');
    expect(await page.getAttribute('#setting-url', 'type')).toBe('text');
    await page.fill('#setting-sharedSecret', 'hook-secret-1');
    await page.getByRole('button', { name: 'Save destination' }).click();
    await page.waitForURL(/\/acme\/destinations\/[^/]+$/);
    await expectText(page, 'h1', 'Webhook');
    await expectText(page, '[aria-label="Connected sources"]', 'Website');
    // The secret is masked when read back.
    expect(await page.inputValue('#setting-sharedSecret')).not.toBe('hook-secret-1');
  });

  it('shows delivery stats move after events flow through ingestion and the translator', async () => {
    const destinationId = page.url().split('/').pop()!;
    await expectText(page, '[data-testid=stat-delivered] .stat-value', '0');
    // The translator learns of the new destination through the config stream.
    await waitUntil(() =>
      (
        stack.dataPlane!.configView.destinationsForSource(
          stack.dataPlane!.configView.sourceForWriteKey(writeKey)?.id ?? '',
        ) ?? []
      ).some((d) => d.id === destinationId),
    );

    const shop = await context.newPage();
    await shop.goto(site.url);
    await shop.waitForFunction(() => (globalThis as unknown as PageGlobals).analytics?.initialized === true);
    // Each click's track call must reach ingestion before the next step (analytics.js sends it async).
    const signUp = async () => {
      const sent = shop.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/v1/t'));
      await shop.click('#signup');
      expect((await sent).status()).toBe(200);
    };
    await signUp();
    await signUp();
    // The page call from loading and the two track calls.
    await waitUntil(() => receiver.deliveries.length >= 3);
    // The receiver refuses the next delivery for good: it counts as failed, with its reason.
    receiver.failNext(1, { status: 400, body: { error: 'bad payload' } });
    await signUp();
    await shop.close();
    await waitUntil(() => Number(statValue('delivered')) >= 3 && Number(statValue('failed')) >= 1, page);
    expect(receiver.deliveries.length).toBeGreaterThanOrEqual(3);
    // The translator counts a 400 as failed for good (not retried), under the status it got.
    await expectText(page, '[aria-label="Delivery stats"] table td', 'http_400');
    await shot(page, 'destination');
  });

  it("adds a warehouse with its sync interval, and changes a source's status and auto-disable exception", async () => {
    await page.goto(`${consoleUrl}/acme/warehouses`);
    await page.getByRole('link', { name: 'Add warehouse' }).click();
    await page.waitForURL('**/acme/catalog?category=Warehouses');
    await page.click('[data-entry=postgres] button');
    await page.fill('#destination-name', 'Analytics warehouse');
    await page.check('input[name=source-website]');
    await page.fill('#sync-interval', '900');
    await page.fill('#setting-url', testInfrastructure().warehousePostgresUrl);
    await page.getByRole('button', { name: 'Save destination' }).click();
    await page.waitForURL(/\/acme\/warehouses\/[^/]+$/);
    await expectText(page, '[aria-label="Load history"]', 'No loads yet');
    expect(await page.inputValue('#sync-interval')).toBe('900');
    await page.goto(`${consoleUrl}/acme/warehouses`);
    await expectText(page, 'tbody', 'every 15 min');
    await expectText(page, 'tbody', 'Analytics warehouse');
    await shot(page, 'warehouses');

    await page.goto(`${consoleUrl}/acme/sources/website`);
    await page.fill('input[aria-label=Reason]', 'maintenance window');
    await page.getByRole('button', { name: 'Disable' }).click();
    await expectText(page, '[aria-label="Status history"] tbody', 'maintenance window');
    await expectText(page, 'h1 .badge', 'disabled');
    await page.getByRole('button', { name: 'Enable' }).click();
    await expectText(page, 'h1 .badge', 'enabled');
    const saved = page.waitForResponse((r) => r.url().endsWith('/auto-disable-exception') && r.status() === 200);
    await page.check('input[name=auto-disable-exempt]');
    await saved;
    await page.reload();
    await page.waitForSelector('input[name=auto-disable-exempt]');
    expect(await page.isChecked('input[name=auto-disable-exempt]')).toBe(true);
  });

  it('renders the other main pages', async () => {
    await page.goto(`${consoleUrl}/acme/destinations`);
    await page.waitForSelector('td[data-column=name] a');
    // Warehouses are listed on their own page, not among destinations.
    expect(await page.$$eval('td[data-column=name]', (tds) => tds.map((td) => td.textContent))).toEqual(['Webhook']);
    await shot(page, 'destinations');
    await page.goto(`${consoleUrl}/acme/requests`);
    await page.fill('#request-name', 'Snowplow');
    await page.fill('#request-use-case', 'Forward events to our Snowplow collector');
    await page.getByRole('button', { name: 'Send request' }).click();
    await expectText(page, '[aria-label="Requests"]', 'Snowplow');
    await shot(page, 'requests');
    await page.goto(`${consoleUrl}/acme/settings`);
    await expectText(page, '[aria-label="Members"]', OWNER);
    await shot(page, 'settings');
    await page.goto(`${consoleUrl}/nobody-here/sources`);
    await expectText(page, 'h1', 'Not found');
  });

  it('creates a Stripe webhook source with its secret, shows its URL, and shows a forged delivery as rejected', async () => {
    const secret = 'whsec_console_flow_3Jk8';
    await page.goto(`${consoleUrl}/acme/sources`);
    await page.getByRole('button', { name: 'Add source' }).click();
    await page.fill('#source-name', 'Stripe');
    await page.selectOption('#source-type', 'webhook');
    await page.selectOption('#source-webhook-kind', 'stripe');
    await page.fill('#source-signing-secret', secret);
    await page.getByRole('button', { name: 'Create source' }).click();
    await page.waitForURL('**/acme/sources/stripe');
    // The stable URL: the source's id, not its write key (which a rotation changes).
    const key = (await page.textContent('[data-testid=write-key]')) ?? '';
    const webhookUrl = (await page.textContent('[data-testid=webhook-url]')) ?? '';
    expect(webhookUrl).toMatch(new RegExp(`^${stack.dataPlane!.url}/v1/webhook/src_[A-Za-z0-9]+$`));
    expect(webhookUrl).not.toContain(key);
    await expectText(page, '[aria-label="Webhook URL"]', 'checked against the signing secret');
    expect(await page.content()).not.toContain(secret);
    await expectText(page, '[data-testid=debugger-state]', 'live');

    // Signed with another secret: refused once ingestion has the source, and shown with the reason.
    const forged = async () => {
      const body = JSON.stringify({ id: 'evt_forged', type: 'charge.succeeded', data: { object: { id: 'ch_1' } } });
      const t = Math.floor(Date.now() / 1000);
      const v1 = createHmac('sha256', 'whsec_someone_else').update(`${t}.${body}`).digest('hex');
      const response = await fetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': `t=${t},v1=${v1}` },
        body,
      });
      return (await response.json()) as { code?: string };
    };
    for (const deadline = Date.now() + 20_000; (await forged()).code !== 'invalid_signature';) {
      if (Date.now() > deadline) throw new Error('ingestion did not take the webhook source within 20 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await expectText(
      page,
      '[data-testid=debugger-events] li[data-status=rejected] [data-testid=debugger-reason]',
      'invalid_signature',
    );
  });

  it('invites a member without SMTP: the link is shown once to the owner, and the invitee chooses a password', async () => {
    await page.goto(`${consoleUrl}/acme/settings`);
    await page.fill('#invite-email', 'teammate@acme.test');
    await page.selectOption('#invite-role', 'read-only');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    const link = (await page.locator('[data-testid=invitation-link]').textContent()) ?? '';
    expect(link).toMatch(new RegExp(`^${consoleUrl}/invite#`));
    await expectText(page, '[aria-label="Pending invitations"]', 'teammate@acme.test');
    // Shown once: not after a reload, and not in the list.
    await page.reload();
    await expectText(page, '[aria-label="Pending invitations"]', 'teammate@acme.test');
    expect(await page.locator('[data-testid=invitation-link]').count()).toBe(0);
    expect(await page.content()).not.toContain(link.split('#')[1]!);

    const invitee = await browser.newContext();
    const inviteePage = await invitee.newPage();
    await inviteePage.goto(link);
    await expectText(
      inviteePage,
      '[data-testid=invitation-summary]',
      `${OWNER} invited teammate@acme.test as read-only`,
    );
    await inviteePage.fill('#password', 'teammate passphrase');
    await inviteePage.fill('#password-confirm', 'teammate passphrase');
    await shot(inviteePage, 'invite');
    await inviteePage.getByRole('button', { name: 'Create account and join' }).click();
    await inviteePage.waitForURL('**/acme/sources');
    await expectText(inviteePage, '.sidebar-footer', 'teammate@acme.test');
    await invitee.close();

    await page.reload();
    await expectText(page, '[aria-label="Members"]', 'teammate@acme.test');
    await expectText(page, '[aria-label="Pending invitations"]', 'None.');
  });

  it("ran every page under the console's Content-Security-Policy without a violation", () => {
    expect(cspViolations).toEqual([]);
  });
});

async function entries(page: Page): Promise<string[]> {
  return page.$$eval('[data-entry]', (els) => els.map((e) => e.getAttribute('data-entry') ?? ''));
}

let statValues: Record<string, string> = {};
function statValue(name: string): string {
  return statValues[name] ?? '';
}

/** Polls a condition (refreshing the delivery stats shown on `page` when given) for up to 60 s. */
async function waitUntil(condition: () => boolean, page?: Page): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (page) {
      statValues = Object.fromEntries(
        await page.$$eval('[data-testid^=stat-]', (els) =>
          els.map((e) => [
            (e.getAttribute('data-testid') ?? '').replace('stat-', ''),
            (e.textContent ?? '').replace(/[^0-9].*$/, ''),
          ]),
        ),
      );
    }
    if (condition()) return;
    if (Date.now() > deadline)
      throw new Error(`condition not met in 60 s (stats shown: ${JSON.stringify(statValues)})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function headers(page: Page): Promise<string[]> {
  return page.$$eval('thead th', (ths) => ths.map((th) => th.getAttribute('data-column') ?? ''));
}

async function waitForNames(page: Page, names: string[]): Promise<void> {
  await page
    .waitForFunction(
      (want) =>
        JSON.stringify(
          Array.from(
            (globalThis as unknown as PageGlobals).document.querySelectorAll('tbody td[data-column=name]'),
          ).map((td) => td.textContent),
        ) === JSON.stringify(want),
      names,
      { timeout: 20_000 },
    )
    .catch(async (error: unknown) => {
      const shown = await page.$$eval('tbody td[data-column=name]', (tds) => tds.map((td) => td.textContent));
      throw new Error(`expected rows ${JSON.stringify(names)}, shown ${JSON.stringify(shown)}: ${String(error)}`);
    });
}
