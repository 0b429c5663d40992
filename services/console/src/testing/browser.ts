// Test support: Debian's Chromium (launched as every package's tests do) and the web app's build.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export { CHROMIUM_PATH, launchChromium } from '@manifold/testing';

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
