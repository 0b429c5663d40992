// The console on a phone (390 px wide) in Chromium: no page scrolls sideways, the navigation is a
// drawer, tables scroll inside their own box and forms are one column. Raw load errors wrap on a
// wide screen too.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ConsoleClient } from '../testing/http-client';
import { buildWebApp, collectCspViolations, expectNoSideScroll, expectText, launchChromium } from '../testing/browser';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';

const OWNER = 'owner.with.a.rather.long.address@acme-corporation.test';
const PASSWORD = 'a long passphrase';
const PHONE = { width: 390, height: 844 };
const SCREENSHOTS =
  process.env['CONSOLE_SCREENSHOTS'] === '1' ? join(__dirname, '..', '..', 'docs', 'screenshots') : undefined;
// A load error as warehouses report them: one long line of JSON with no space to break at.
const RAW_ERROR = JSON.stringify({
  kind: 'column_type_conflict',
  table: 'website.tracks',
  column: 'context_page_referrer_utm_campaign_content_variant',
  detail: 'x'.repeat(240),
});

jest.setTimeout(180_000);

interface PageGlobals {
  innerWidth: number;
  document: {
    documentElement: { scrollWidth: number };
    activeElement: { textContent: string | null } | null;
  };
}

async function signIn(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/signin`);
  await page.fill('#email', OWNER);
  await page.fill('#password', PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname !== '/signin');
}

async function shot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

describe('console on a phone', () => {
  let stack: ConsoleStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let webRoot: string;
  let url: string;
  let owner: ConsoleClient;
  let destinationId = '';
  let warehouseId = '';
  let cspViolations: string[] = [];

  beforeAll(async () => {
    webRoot = buildWebApp();
    stack = await startConsoleStack({ webRoot, dataPlane: {} });
    url = stack.console.url;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    cspViolations = collectCspViolations(context);
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (webRoot) rmSync(webRoot, { recursive: true, force: true });
  });

  it('shows first-run setup and sign-in without sideways scrolling', async () => {
    await page.goto(url);
    await page.waitForURL('**/setup');
    await expectNoSideScroll(page, 'the setup page');
    owner = new ConsoleClient(url);
    expect((await owner.setup(OWNER, PASSWORD, 'acme', 'Acme Corporation Analytics')).status).toBe(201);
    await page.goto(`${url}/signin`);
    await expectNoSideScroll(page, 'the sign-in page');
    await signIn(page, url);
    await page.waitForURL('**/acme/sources');
  });

  it('fills the workspace with what makes pages wide: long names, six columns, raw errors, events', async () => {
    expect((await owner.call('POST', '/api/v1/workspaces', { slug: 'beta', name: 'Beta' })).status).toBe(201);
    const created = await owner.call<{ id: string; writeKeys: Array<{ key: string }> }>(
      'POST',
      '/api/v1/workspaces/acme/sources',
      { slug: 'website', name: 'Website', environment: 'prod', type: 'javascript', category: 'website' },
    );
    expect(created.status).toBe(201);
    for (const slug of ['checkout-service-backend-production', 'ios-app']) {
      await owner.call('POST', '/api/v1/workspaces/acme/sources', { slug, name: slug, type: 'node' });
    }
    const columns = ['status', 'environment', 'destinations', 'type', 'created_at'];
    expect((await owner.call('PUT', '/api/v1/me/columns/sources', { columns })).status).toBe(200);
    const destination = await owner.call<{ id: string }>('POST', '/api/v1/workspaces/acme/destinations', {
      name: 'Acme Analytics for the marketing team',
      catalogId: 'acme-analytics',
      settings: { apiKey: 'a-secret-api-key' },
      sources: ['website'],
    });
    expect(destination.status).toBe(201);
    destinationId = destination.body.id;
    const warehouse = await owner.call<{ id: string; workspaceId: string }>(
      'POST',
      '/api/v1/workspaces/acme/destinations',
      { name: 'Warehouse', catalogId: 'test-postgres', settings: { url: 'postgres://dw' }, sources: ['website'] },
    );
    expect(warehouse.status).toBe(201);
    warehouseId = warehouse.body.id;
    // A failed load, as the loader reports it to the control plane.
    const now = new Date();
    await stack.controlPlane.domain.observability.recordLoad({
      loadId: 'load-1',
      warehouseId,
      workspaceId: warehouse.body.workspaceId,
      sourceId: created.body.id,
      schema: 'website',
      status: 'failure',
      startedAt: new Date(now.getTime() - 5000).toISOString(),
      finishedAt: now.toISOString(),
      events: 12,
      rowsByTable: {},
      rows: 0,
      tablesCreated: [],
      columnsAdded: [],
      notices: [],
      errors: [RAW_ERROR],
      attempt: 1,
    });

    // An accepted event with long values and a rejected one, for the live debugger.
    const writeKey = created.body.writeKeys[0]!.key;
    const send = (body: object) =>
      fetch(`${stack.dataPlane!.url}/v1/track`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
        },
        body: JSON.stringify(body),
      });
    // Ingestion learns of the source through the config stream.
    const deadline = Date.now() + 30_000;
    while ((await send({ userId: 'warm-up', event: 'Warm Up' })).status !== 200) {
      if (Date.now() > deadline) throw new Error('ingestion never accepted the source');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await page.goto(`${url}/acme/sources/website`);
    await expectText(page, '[data-testid=debugger-state]', 'live');
    await send({
      userId: 'user-with-a-long-identifier-0123456789abcdef0123456789abcdef',
      event: 'Checkout Completed With A Rather Long Event Name',
      properties: { cart: 'y'.repeat(300) },
    });
    await send({ event: 'No Identity' });
    await expectText(page, '[data-testid=debugger-events] [data-testid=debugger-reason]', 'no_user_anon_id');
    await page.click('[data-testid=debugger-events] li[data-status=accepted] .debugger-row');
    await page.waitForSelector('[data-testid=debugger-events] pre.json');
  });

  it('scrolls no page sideways at 390 px', async () => {
    await expectNoSideScroll(page, 'the source page with an open debugger event');
    const pages: Array<[string, string]> = [
      ['/', '.workspace-list'],
      ['/account', '[aria-label="API tokens"]'],
      ['/acme/sources', 'tbody td[data-column=name] a'],
      ['/acme/destinations', 'tbody td[data-column=name] a'],
      [`/acme/destinations/${destinationId}`, '[aria-label="Delivery stats"]'],
      ['/acme/catalog', '[data-entry=acme-analytics]'],
      ['/acme/catalog?add=acme-analytics', '#setting-apiKey'],
      ['/acme/warehouses', 'tbody td[data-column=name] a'],
      [`/acme/warehouses/${warehouseId}`, '[aria-label="Load history"] td[data-label="Errors and notices"]'],
      ['/acme/requests', '#request-name'],
      ['/acme/settings', '[aria-label="Members"] tbody tr'],
      ['/acme/no-such-page', 'h1'],
    ];
    for (const [path, ready] of pages) {
      await page.goto(`${url}${path}`);
      await page.waitForSelector(ready);
      await expectNoSideScroll(page, path);
    }

    // The sources table, six columns wide, scrolls inside its own box, not the page.
    await page.goto(`${url}/acme/sources`);
    await page.waitForSelector('th[data-column=created_at]');
    const box = await page.$eval('.property-table .table-scroll', (el) => {
      const e = el as unknown as { scrollWidth: number; clientWidth: number };
      return { scrollWidth: e.scrollWidth, clientWidth: e.clientWidth };
    });
    expect(box.scrollWidth).toBeGreaterThan(box.clientWidth);
    await expectNoSideScroll(page, 'the sources page with six columns');
    await shot(page, 'sources-phone');
  });

  it('shows an invitation link to the owner, and the invitation page, without sideways scrolling', async () => {
    await page.goto(`${url}/acme/settings`);
    await page.waitForSelector('[aria-label="Pending invitations"] td[data-state=empty]');
    await page.fill('#invite-email', 'a.new.colleague.with.a.long.name@acme-corporation.test');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    const link = (await page.locator('[data-testid=invitation-link]').textContent()) ?? '';
    await expectNoSideScroll(page, 'the settings page with an invitation link');

    const other = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    const invitee = await other.newPage();
    await invitee.goto(link);
    await invitee.waitForSelector('[data-testid=invitation-summary]');
    await expectNoSideScroll(invitee, 'the invitation page');
    await other.close();
  });

  it('keeps the navigation in a drawer: Menu opens it, Escape or a choice closes it', async () => {
    await page.goto(`${url}/acme/sources`);
    const sidebar = page.locator('#sidebar');
    await page.getByRole('button', { name: 'Menu' }).waitFor();
    expect(await sidebar.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Menu' }).click();
    // waitFor fails the test if the state is not reached in time; it only absorbs the render after the event.
    await sidebar.waitFor({ state: 'visible', timeout: 5000 });
    await shot(page, 'navigation-phone');
    await page.keyboard.press('Escape');
    await sidebar.waitFor({ state: 'hidden', timeout: 5000 });
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.textContent)).toBe(
      'Menu',
    );
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.locator('#sidebar nav a', { hasText: 'Destinations' }).click();
    await page.waitForURL('**/acme/destinations');
    // The URL changes before the page re-renders and closes the drawer, so wait for that render.
    await sidebar.waitFor({ state: 'hidden', timeout: 5000 });
  });

  it('puts form fields in one column', async () => {
    await page.goto(`${url}/acme/sources`);
    await page.getByRole('button', { name: 'Add source' }).click();
    const boxes = await Promise.all(
      ['#source-name', '#source-slug', '#source-environment', '#source-type'].map((s) => page.locator(s).boundingBox()),
    );
    expect(new Set(boxes.map((b) => Math.round(b!.x))).size).toBe(1);
    expect(new Set(boxes.map((b) => Math.round(b!.y))).size).toBe(4);
    await expectNoSideScroll(page, 'the new source form');
  });

  it('wraps a raw load error on a wide screen too', async () => {
    const wide = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const desk = await wide.newPage();
    await signIn(desk, url);
    await desk.goto(`${url}/acme/warehouses/${warehouseId}`);
    await expectText(desk, '[aria-label="Load history"] td[data-label="Errors and notices"]', 'column_type_conflict');
    await expectNoSideScroll(desk, 'the warehouse page at 1280 px');
    await wide.close();
  });

  it("ran under the console's Content-Security-Policy without a violation", () => {
    expect(cspViolations).toEqual([]);
  });
});
