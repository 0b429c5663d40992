// Test support: Debian's Chromium driven by playwright-core (no browser downloads).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not at ${CHROMIUM_PATH}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Builds the web app with Vite into a fresh folder (under a second), so tests never serve a stale build. */
export function buildWebApp(): string {
  const outDir = mkdtempSync(join(tmpdir(), 'console-web-'));
  const packageDir = join(__dirname, '..', '..');
  execFileSync(
    'pnpm',
    ['exec', 'vite', 'build', '--config', 'web/vite.config.mts', '--outDir', outDir, '--logLevel', 'error'],
    {
      cwd: packageDir,
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
