// First run after `pnpm start`: the stack holds the workspace `pnpm start` applies (workspace
// `local`, source `website`, a DuckDB warehouse), the console has no account yet, and the first
// owner takes that workspace over in the setup form and lands in it.
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { ConsoleClient } from '../testing/http-client';
import { buildWebApp, collectCspViolations, expectText, launchChromium } from '../testing/browser';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';

const OWNER = 'me@acme.test';
const PASSWORD = 'a long passphrase';

jest.setTimeout(120_000);

interface SetupState {
  setupNeeded: boolean;
  adoptable?: Array<{ slug: string; name: string }>;
}

interface BrowserOnStack {
  stack: ConsoleStack;
  page: Page;
  /** Content-Security-Policy violations the page reported. */
  cspViolations: string[];
}

/**
 * Registers the hooks of a describe block: the stack `pnpm start` makes (the `local` workspace, no
 * account yet) with the web app built, and a Chromium page; what they made is read from the object
 * returned, once the tests run.
 */
function firstRunInBrowser(consoleOptions: { setupToken?: string } = {}): BrowserOnStack {
  const made = {} as BrowserOnStack;
  let browser: Browser | undefined;
  let webRoot: string | undefined;

  beforeAll(async () => {
    webRoot = buildWebApp();
    made.stack = await startConsoleStack({
      catalog: 'default',
      localWorkspace: true,
      webRoot,
      console: consoleOptions,
    });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    made.cspViolations = collectCspViolations(context);
    made.page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await made.stack?.stop();
    if (webRoot) rmSync(webRoot, { recursive: true, force: true });
  });

  return made;
}

describe('first run on a stack made by pnpm start', () => {
  const made = firstRunInBrowser();

  it('offers the workspace made outside the console, and refuses to take over one it does not offer', async () => {
    const api = new ConsoleClient(made.stack.console.url);
    const state = await api.call<SetupState>('GET', '/auth/state');
    expect(state.body).toMatchObject({ setupNeeded: true, adoptable: [{ slug: 'local', name: 'Local' }] });

    const unknown = await api.call('POST', '/auth/setup', { email: OWNER, password: PASSWORD, adopt: ['elsewhere'] });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('adopt');
    const nothing = await api.call('POST', '/auth/setup', { email: OWNER, password: PASSWORD });
    expect(nothing.status).toBe(400);
    // Both refusals gave the first-run claim back.
    expect((await api.call<SetupState>('GET', '/auth/state')).body.setupNeeded).toBe(true);
  });

  it('sets up the first owner, who takes over the workspace and lands on its website source', async () => {
    await made.page.goto(made.stack.console.url);
    await made.page.waitForURL('**/setup');
    expect(await made.page.isChecked('input[name=adopt-local]')).toBe(true);
    await made.page.fill('#email', OWNER);
    await made.page.fill('#password', PASSWORD);
    await made.page.getByRole('button', { name: 'Create owner account' }).click();
    // Straight into the workspace, not a picker.
    await made.page.waitForURL('**/local/sources');
    await expectText(made.page, 'tbody td[data-column=name]', 'Website');
    await made.page.click('tbody td[data-column=name] a');
    await made.page.waitForURL('**/local/sources/website');
    expect(((await made.page.textContent('[data-testid=write-key]')) ?? '').length).toBeGreaterThan(10);
    await made.page.goto(`${made.stack.console.url}/local/warehouses`);
    await expectText(made.page, 'tbody', 'Local DuckDB');
    expect(made.cspViolations).toEqual([]);
  });

  it('made the first owner the owner of the workspace and kept its members; setup is then closed', async () => {
    const api = new ConsoleClient(made.stack.console.url);
    expect((await api.signIn(OWNER, PASSWORD)).status).toBe(200);
    const workspace = await api.call<{ role: string; members: Array<{ email: string; role: string }> }>(
      'GET',
      '/api/v1/workspaces/local',
    );
    expect(workspace.body.role).toBe('owner');
    expect(workspace.body.members).toEqual(
      expect.arrayContaining([
        { email: OWNER, role: 'owner' },
        { email: 'owner@localhost.localdomain', role: 'owner' },
      ]),
    );
    const state = await new ConsoleClient(made.stack.console.url).call<SetupState>('GET', '/auth/state');
    expect(state.body.setupNeeded).toBe(false);
    expect(state.body.adoptable).toBeUndefined();
    const again = await new ConsoleClient(made.stack.console.url).call('POST', '/auth/setup', {
      email: 'late@acme.test',
      password: PASSWORD,
      adopt: ['local'],
    });
    expect(again.status).toBe(409);
  });
});

describe('first run that does not take the workspace over', () => {
  let stack: ConsoleStack;

  beforeAll(async () => {
    stack = await startConsoleStack({ catalog: 'default', localWorkspace: true });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('leaves an unticked workspace alone: the new owner sees only their own', async () => {
    const api = new ConsoleClient(stack.console.url);
    const created = await api.call<{ workspace: string }>('POST', '/auth/setup', {
      email: OWNER,
      password: PASSWORD,
      workspaceName: 'Acme',
      workspaceSlug: 'acme',
      adopt: [],
    });
    expect(created.status).toBe(201);
    expect(created.body.workspace).toBe('acme');
    expect((await api.call('GET', '/api/v1/workspaces/local')).status).toBe(404);
    const listed = await api.call<{ workspaces: Array<{ slug: string }> }>('GET', '/api/v1/workspaces');
    expect(listed.body.workspaces.map((w) => w.slug)).toEqual(['acme']);
  });
});

describe('first run behind a setup token', () => {
  const TOKEN = 'browser-setup-token-5e8d1c7a90';
  const made = firstRunInBrowser({ setupToken: TOKEN });

  it('asks for the token first, then offers the workspace to take over, and sets up the owner', async () => {
    await made.page.goto(made.stack.console.url);
    await made.page.waitForURL('**/setup');
    // Only the token, with where to find it: no account fields, no workspace named yet.
    await expectText(made.page, 'form', 'CONSOLE_SETUP_TOKEN');
    expect(await made.page.locator('#email').count()).toBe(0);
    expect(await made.page.locator('input[name=adopt-local]').count()).toBe(0);
    expect(await made.page.textContent('form')).not.toContain('Local');

    await made.page.fill('#setupToken', 'not-the-setup-token');
    await made.page.getByRole('button', { name: 'Continue' }).click();
    await expectText(made.page, '#setupToken-error', "not this console's setup token");
    expect(await made.page.locator('input[name=adopt-local]').count()).toBe(0);

    await made.page.fill('#setupToken', TOKEN);
    await made.page.getByRole('button', { name: 'Continue' }).click();
    await made.page.waitForSelector('input[name=adopt-local]');
    expect(await made.page.isChecked('input[name=adopt-local]')).toBe(true);
    await made.page.fill('#email', OWNER);
    await made.page.fill('#password', PASSWORD);
    await made.page.getByRole('button', { name: 'Create owner account' }).click();
    await made.page.waitForURL('**/local/sources');
    await expectText(made.page, 'tbody td[data-column=name]', 'Website');
    expect(made.cspViolations).toEqual([]);

    const api = new ConsoleClient(made.stack.console.url);
    expect((await api.signIn(OWNER, PASSWORD)).status).toBe(200);
    expect((await api.call<{ role: string }>('GET', '/api/v1/workspaces/local')).body.role).toBe('owner');
  });
});
