import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ConfigSnapshot } from '@manifold/config-client';

const serviceRoot = resolve(__dirname, '../..');

export interface LoaderProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Runs the real service entry point (src/main.ts) as a child process, configured from a file. */
export async function startLoaderProcess(options: {
  dir: string;
  snapshot: ConfigSnapshot;
  env: Record<string, string>;
}): Promise<LoaderProcess> {
  const configFile = join(options.dir, `config-${Date.now()}.json`);
  await writeFile(configFile, JSON.stringify(options.snapshot));
  const child = spawn(
    process.execPath,
    ['-r', join(serviceRoot, 'tools/register-ts.cjs'), join(serviceRoot, 'src/main.ts')],
    {
      env: {
        PATH: process.env['PATH'] ?? '',
        ADMIN_PORT: '0',
        // At least info: tests wait for the 'loader started' line.
        LOG_LEVEL: ['debug', 'trace'].includes(process.env['TEST_LOG_LEVEL'] ?? '')
          ? (process.env['TEST_LOG_LEVEL'] ?? '')
          : 'info',
        WAREHOUSE_CONFIG_FILE: configFile,
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}
