import { spawn, type ChildProcess } from 'node:child_process';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';

export interface StartChildOptions {
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** Node flags before the script (e.g. `--max-semi-space-size=4`). */
  nodeFlags?: string[];
  /** Copy the child's other stdout lines to stderr, prefixed with its script name. Default true. */
  echo?: boolean;
}

export interface StartedChild {
  child: ChildProcess;
  /** The JSON the child printed after `READY `. */
  info: Record<string, unknown>;
}

/**
 * Starts a Node script that prints `READY <json>` on stdout once it serves (the benchmarks'
 * services, emulators and bare servers), and resolves with it; rejects if it exits first.
 * BENCH_CPU_PROF=<dir> in the environment profiles every child (node --cpu-prof).
 */
export async function startChild(script: string, options: StartChildOptions = {}): Promise<StartedChild> {
  const profile = process.env['BENCH_CPU_PROF']
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_CPU_PROF']}`]
    : [];
  const child = spawn(process.execPath, [...profile, ...(options.nodeFlags ?? []), script], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const name = basename(script);
  const echo = options.echo ?? true;
  const lines = createInterface({ input: child.stdout as NonNullable<ChildProcess['stdout']> });
  const ready = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) resolve(line.slice(6));
      else if (echo) process.stderr.write(`[${name}] ${line}\n`);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
  return { child, info: JSON.parse(ready) as Record<string, unknown> };
}

/** SIGTERM, then waits for the child to exit (a no-op when it is gone already). */
export async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
