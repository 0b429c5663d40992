// Test support: Debian's Chromium (launched as every package's tests do) and the web app's build.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

export { CHROMIUM_PATH, launchChromium } from '@manifold/testing';

/**
 * Builds the web app with Vite into a fresh folder (under a second), so tests never serve a stale
 * build. NODE_ENV is production, as `pnpm build` has it: Jest's "test" would give React's
 * development build instead of the one users get.
 */
export function buildWebApp(): string {
  const outDir = mkdtempSync(join(tmpdir(), 'console-web-'));
  const packageDir = join(__dirname, '..', '..');
  execFileSync(
    'pnpm',
    ['exec', 'vite', 'build', '--config', 'web/vite.config.mts', '--outDir', outDir, '--logLevel', 'error'],
    {
      cwd: packageDir,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  return outDir;
}

/**
 * Collects what Chromium reports as refused by a Content-Security-Policy on any page of the
 * context, so a test can assert the console works under its own policy.
 */
export function collectCspViolations(context: BrowserContext): string[] {
  const violations: string[] = [];
  context.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(`${message.page()?.url()}: ${message.text()}`);
  });
  return violations;
}

/** Waits (up to 20 s) until an element matching `selector` contains `text`; the error says what was shown. */
export async function expectText(page: Page, selector: string, text: string): Promise<void> {
  interface Globals {
    document: { querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }> };
  }
  await page
    .waitForFunction(
      ([sel, want]) =>
        Array.from((globalThis as unknown as Globals).document.querySelectorAll(sel)).some((el) =>
          (el.textContent ?? '').includes(want),
        ),
      [selector, text] as const,
      { timeout: 20_000 },
    )
    .catch(async (error: unknown) => {
      const shown = await page.$$eval(selector, (els) => els.map((e) => e.textContent)).catch(() => []);
      throw new Error(`expected "${text}" in ${selector}, shown ${JSON.stringify(shown)}: ${String(error)}`);
    });
}

/** Fails naming the page when the document is wider than the window (the page scrolls sideways). */
export async function expectNoSideScroll(page: Page, what: string): Promise<void> {
  interface Globals {
    innerWidth: number;
    document: { documentElement: { scrollWidth: number } };
  }
  const { scrollWidth, innerWidth } = await page.evaluate(() => {
    const g = globalThis as unknown as Globals;
    return { scrollWidth: g.document.documentElement.scrollWidth, innerWidth: g.innerWidth };
  });
  if (scrollWidth > innerWidth) throw new Error(`${what} is ${scrollWidth} px wide in a ${innerWidth} px window`);
}

/** Signs in on the console's sign-in page and waits to leave it. */
export async function signInAs(page: Page, consoleUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${consoleUrl}/signin`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname !== '/signin');
}
