// @ts-check
// Child processes of the benchmark: each prints `READY <json>` on stdout once it serves.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Starts `script` (in this folder) with extra environment; resolves with the child and the JSON
 * it printed after READY.
 * @param {string} script
 * @param {Record<string, string>} env
 */
export async function startChild(script, env = {}) {
  // BENCH_CPU_PROF=<dir> profiles every child (node --cpu-prof), to see where time goes.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, join(here, script)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stdout) });
  const ready = await new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) resolve(line.slice(6));
      else if (process.env.BENCH_VERBOSE) process.stderr.write(`[${script}] ${line}\n`);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { child, info: JSON.parse(String(ready)) };
}

/** @param {import('node:child_process').ChildProcess | undefined} child */
export async function stopChild(child) {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
