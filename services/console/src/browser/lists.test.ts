// The console's lists in Chromium: search and pages run on the server, everything a list shows is
// kept in the URL (so a reload or a shared link shows the same), Escape closes menus, each page has
// its own title, lists say when they are loading or empty, and form errors are in words.
import { rmSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ConsoleClient } from '../testing/http-client';
import { buildWebApp, collectCspViolations, expectText, launchChromium } from '../testing/browser';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';

const OWNER = 'owner@acme.test';
const PASSWORD = 'a long passphrase';

jest.setTimeout(120_000);

interface PageGlobals {
  location: { href: string };
  document: {
    title: string;
    activeElement: { textContent: string | null; tagName: string } | null;
    querySelector(selector: string): { open?: boolean } | null;
    documentElement: { scrollWidth: number };
  };
}

describe('console lists in a browser', () => {
  let stack: ConsoleStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let webRoot: string;
  let url: string;
  let api: ConsoleClient;
  let cspViolations: string[] = [];

  beforeAll(async () => {
    webRoot = buildWebApp();
    stack = await startConsoleStack({ webRoot });
    url = stack.console.url;
    api = new ConsoleClient(url);
    expect((await api.setup(OWNER, PASSWORD, 'acme', 'Acme')).status).toBe(201);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    cspViolations = collectCspViolations(context);
    page = await context.newPage();
    await page.goto(`${url}/signin`);
    await page.fill('#email', OWNER);
    await page.fill('#password', PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/acme/sources');
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (webRoot) rmSync(webRoot, { recursive: true, force: true });
  });

  const names = (p: Page) => p.$$eval('tbody td[data-column=name]', (tds) => tds.map((td) => td.textContent ?? ''));
  const title = (p: Page) => p.evaluate(() => (globalThis as unknown as PageGlobals).document.title);

  it('says when a list is empty, with what to do', async () => {
    await expectText(page, 'td[data-state=empty]', 'No sources yet');
    expect(await title(page)).toBe('Sources · Acme · Manifold');
    await page.goto(`${url}/acme/destinations`);
    await expectText(page, 'td[data-state=empty]', 'No destinations yet');
    await page.goto(`${url}/acme/warehouses`);
    await expectText(page, 'td[data-state=empty]', 'No warehouses yet');
  });

  it('pages through sources on the server, and keeps the page in the URL', async () => {
    for (let i = 1; i <= 30; i++) {
      const n = String(i).padStart(2, '0');
      const created = await api.call('POST', '/api/v1/workspaces/acme/sources', {
        slug: `site-${n}`,
        name: `Site ${n}`,
        environment: i % 3 === 0 ? 'dev' : 'prod',
        type: i % 2 === 0 ? 'node' : 'javascript',
        category: i % 2 === 0 ? 'server' : 'website',
      });
      expect(created.status).toBe(201);
    }
    await page.goto(`${url}/acme/sources?sort=name`);
    await expectText(page, '[data-testid=page-range]', '1–25 of 30');
    expect((await names(page))[0]).toBe('Site 01');
    await page.getByRole('button', { name: 'Next' }).click();
    await expectText(page, '[data-testid=page-range]', '26–30 of 30');
    expect(await names(page)).toEqual(['Site 26', 'Site 27', 'Site 28', 'Site 29', 'Site 30']);
    expect(new URL(page.url()).searchParams.get('pages')).toBeTruthy();
    await page.reload();
    await expectText(page, '[data-testid=page-range]', '26–30 of 30');
    // Back returns to the first page.
    await page.goBack();
    await expectText(page, '[data-testid=page-range]', '1–25 of 30');
  });

  it('searches by name on the server', async () => {
    await page.fill('input[type=search]', 'site 1');
    await page.waitForFunction(
      () => new URL((globalThis as unknown as PageGlobals).location.href).searchParams.get('search') === 'site 1',
    );

    await expectText(page, '[data-testid=row-count]', '10 rows');
    expect((await names(page)).every((n) => n.startsWith('Site 1'))).toBe(true);
    await page.fill('input[type=search]', 'no such thing');
    await expectText(page, 'td[data-state=empty]', 'No sources match.');
    await page.getByRole('button', { name: 'Clear search and filters' }).click();
    await expectText(page, '[data-testid=row-count]', '30 rows');
  });

  it('keeps sort, filters and chosen columns in the URL: they survive a reload and a shared link', async () => {
    await page.goto(`${url}/acme/sources`);
    await page.waitForSelector('th[data-column=environment]');
    await page.click('.column-picker summary');
    await page.click('input[name=column-type]');
    await page.waitForSelector('th[data-column=type]');
    await page.keyboard.press('Escape');
    await page.click('th[data-column=name] .sort-button');
    await page.click('th[data-column=name] .sort-button');
    await page.click('[data-testid=filter-environment] summary');
    await page.check('[data-testid=filter-environment] input[value=dev]');
    await page.click('[data-testid=filter-type] summary');
    await page.check('[data-testid=filter-type] input[value=node]');
    await expectText(page, '[data-testid=row-count]', '5 rows');
    const expected = ['Site 30', 'Site 24', 'Site 18', 'Site 12', 'Site 06'];
    expect(await names(page)).toEqual(expected);
    const params = new URL(page.url()).searchParams;
    expect(params.get('sort')).toBe('-name');
    expect(params.getAll('environment')).toEqual(['dev']);
    expect(params.getAll('type')).toEqual(['node']);
    expect(params.get('columns')).toBe('status,environment,destinations,type');

    await page.reload();
    await expectText(page, '[data-testid=row-count]', '5 rows');
    expect(await names(page)).toEqual(expected);
    expect(await page.isChecked('[data-testid=filter-environment] input[value=dev]')).toBe(true);

    // Someone else, whose own column choice differs, opens the same link and sees the same table.
    const reader = new ConsoleClient(url);
    const invited = await api.call<{ link: string }>('POST', '/api/v1/workspaces/acme/invitations', {
      email: 'reader@acme.test',
      role: 'read-only',
    });
    await reader.call('POST', '/auth/invitations/accept', {
      token: new URL(invited.body.link).hash.slice(1),
      password: PASSWORD,
    });
    const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const shared = await other.newPage();
    await shared.goto(
      `${url}/signin?next=${encodeURIComponent(new URL(page.url()).pathname + new URL(page.url()).search)}`,
    );
    await shared.fill('#email', 'reader@acme.test');
    await shared.fill('#password', PASSWORD);
    await shared.getByRole('button', { name: 'Sign in' }).click();
    await expectText(shared, '[data-testid=row-count]', '5 rows');
    expect(await names(shared)).toEqual(expected);
    await shared.waitForSelector('th[data-column=type]');
    await other.close();
  });

  it('closes a menu with Escape and gives the focus back to its button', async () => {
    await page.click('[data-testid=filter-environment] summary');
    expect(
      await page.evaluate(
        () => (globalThis as unknown as PageGlobals).document.querySelector('[data-testid=filter-environment]')?.open,
      ),
    ).toBe(true);
    await page.keyboard.press('Escape');
    expect(
      await page.evaluate(
        () => (globalThis as unknown as PageGlobals).document.querySelector('[data-testid=filter-environment]')?.open,
      ),
    ).toBe(false);
    const focused = await page.evaluate(() => {
      const active = (globalThis as unknown as PageGlobals).document.activeElement;
      return { tag: active?.tagName, text: active?.textContent };
    });
    expect(focused).toEqual({ tag: 'SUMMARY', text: '1 selected' });
  });

  it('shows a bad setting in words on its field', async () => {
    await page.goto(`${url}/acme/catalog?add=acme-analytics`);
    await page.fill('#setting-apiKey', 'short');
    await page.getByRole('button', { name: 'Save destination' }).click();
    await expectText(page, '#setting-apiKey-error', 'must be at least 8 characters long');
    expect(await title(page)).toBe('Add Acme Analytics · Catalog · Acme · Manifold');
  });

  it('gives each page its own title', async () => {
    const titles: Array<[string, string]> = [
      ['/acme/sources/site-01', 'Site 01 · Sources · Acme · Manifold'],
      ['/acme/destinations', 'Destinations · Acme · Manifold'],
      ['/acme/warehouses', 'Warehouses · Acme · Manifold'],
      ['/acme/catalog', 'Catalog · Acme · Manifold'],
      ['/acme/requests', 'Integration requests · Acme · Manifold'],
      ['/acme/settings', 'Settings · Acme · Manifold'],
      ['/account', 'Account · Manifold'],
    ];
    for (const [path, want] of titles) {
      await page.goto(`${url}${path}`);
      await page.waitForFunction((t) => (globalThis as unknown as PageGlobals).document.title === t, want, {
        timeout: 20_000,
      });
    }
  });

  const headers = (p: Page) => p.$$eval('thead th', (ths) => ths.map((th) => th.getAttribute('data-column')));

  it("shows at most five of a link's columns, each once, and only the page's own", async () => {
    await page.goto(
      `${url}/acme/sources?columns=status,bogus,status,environment,destinations,type,category,created_at,created_by`,
    );
    await page.waitForSelector('th[data-column=category]');
    expect(await headers(page)).toEqual(['name', 'status', 'environment', 'destinations', 'type', 'category']);
    await expectText(page, '.column-picker summary', 'Columns (5/5)');
    // The picker still refuses a sixth.
    await page.click('.column-picker summary');
    await page.click('input[name=column-created_by]');
    await expectText(page, '[data-testid=column-limit-message]', 'at most 5 columns');
    expect(await page.isChecked('input[name=column-created_by]')).toBe(false);
  });

  it('breaks ties of a sort by name, so the rows of one value come in name order', async () => {
    await page.goto(`${url}/acme/sources?columns=environment&sort=environment`);
    await expectText(page, '[data-testid=page-range]', '1–25 of 30');
    const dev = ['Site 03', 'Site 06', 'Site 09', 'Site 12', 'Site 15', 'Site 18', 'Site 21', 'Site 24', 'Site 27'];
    expect((await names(page)).slice(0, 10)).toEqual([...dev, 'Site 30']);
    expect((await names(page)).slice(10, 13)).toEqual(['Site 01', 'Site 02', 'Site 04']);
  });

  it("lists a link's filter value that no row has, so it can be unchecked", async () => {
    await page.goto(`${url}/acme/sources?columns=status,type&type=python`);
    await expectText(page, 'td[data-state=empty]', 'No sources match.');
    await page.click('[data-testid=filter-type] summary');
    expect(await page.isChecked('[data-testid=filter-type] input[value=python]')).toBe(true);
    // Unchecked, it goes from the menu with the filter (no row has it).
    await page.click('[data-testid=filter-type] input[value=python]');
    await expectText(page, '[data-testid=row-count]', '30 rows');
    expect(new URL(page.url()).searchParams.getAll('type')).toEqual([]);
  });

  it('says a page past the end is empty (not that there are no sources) and leads back to the first', async () => {
    const past = Buffer.from(JSON.stringify({ offset: 1000 })).toString('base64url');
    await page.goto(`${url}/acme/sources?pages=${past}`);
    await expectText(page, 'td[data-state=empty]', 'No sources on this page.');
    await page.getByRole('button', { name: 'Go to the first page' }).click();
    await expectText(page, '[data-testid=page-range]', '1–25 of 30');
  });

  it('offers the filter values of every source, past the first 500 too', async () => {
    // 506 sources: the only python one comes last by name, past the list API's largest page.
    for (let batch = 0; batch < 476; batch += 28) {
      const created = await Promise.all(
        Array.from({ length: Math.min(28, 476 - batch) }, (_, j) => {
          const i = batch + j;
          const last = i === 475;
          return api.call('POST', '/api/v1/workspaces/acme/sources', {
            slug: last ? 'zz-last' : `zone-${String(i).padStart(3, '0')}`,
            name: last ? 'Zz last' : `Zone ${String(i).padStart(3, '0')}`,
            environment: 'prod',
            type: last ? 'python' : 'node',
            category: 'server',
          });
        }),
      );
      expect(created.map((c) => c.status).filter((s) => s !== 201)).toEqual([]);
    }
    await page.goto(`${url}/acme/sources?columns=status,type`);
    await expectText(page, '[data-testid=row-count]', '506 rows');
    await page.click('[data-testid=filter-type] summary');
    await page.waitForSelector('[data-testid=filter-type] input[value=python]');
    await page.check('[data-testid=filter-type] input[value=python]');
    await expectText(page, '[data-testid=row-count]', '1 row');
    expect(await names(page)).toEqual(['Zz last']);
  });

  it('offers filter values in the order names sort, case aside', async () => {
    for (const name of ['Beta mail', 'apple mail', 'Apple Mail']) {
      const created = await api.call('POST', '/api/v1/workspaces/acme/destinations', {
        name,
        catalogId: 'mail-blaster',
        settings: { token: 'a token' },
        sources: ['site-01'],
      });
      expect(created.status).toBe(201);
    }
    await page.goto(`${url}/acme/sources?columns=destinations`);
    await page.click('[data-testid=filter-destinations] summary');
    await page.waitForSelector('[data-testid=filter-destinations] input[value="Beta mail"]');
    expect(
      await page.$$eval('[data-testid=filter-destinations] input', (inputs) =>
        inputs.map((i) => (i as unknown as { value: string }).value),
      ),
    ).toEqual(['Apple Mail', 'apple mail', 'Beta mail']);
  });

  it("ran under the console's Content-Security-Policy without a violation", () => {
    expect(cspViolations).toEqual([]);
  });
});
