import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');

/** One service run as in production (its main.ts, its environment), from the sources through tsx. */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  readonly logFile: string;

  constructor(
    readonly service: string,
    readonly adminPort: number,
    private readonly env: Record<string, string>,
    logDir: string,
  ) {
    this.logFile = join(logDir, `${service}.log`);
  }

  start(): void {
    const log = createWriteStream(this.logFile);
    this.child = spawn(process.execPath, ['--import', 'tsx', `services/${this.service}/src/main.ts`], {
      cwd: root,
      env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.json', LOG_LEVEL: 'info', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.pipe(log);
    this.child.stderr?.pipe(log);
  }

  /** Waits for /readyz to answer 200; on failure, the error carries the end of the service's log. */
  async ready(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child?.exitCode !== null) break;
      const ok = await fetch(`http://127.0.0.1:${this.adminPort}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((done) => setTimeout(done, 250));
    }
    const tail = readFileSync(this.logFile, 'utf8').split('\n').slice(-30).join('\n');
    throw new Error(`${this.service} did not become ready (exit code ${this.child?.exitCode}); its log ends:\n${tail}`);
  }

  async metrics(): Promise<string> {
    const response = await fetch(`http://127.0.0.1:${this.adminPort}/metrics`);
    if (!response.ok) throw new Error(`${this.service} /metrics answered ${response.status}`);
    return response.text();
  }

  /** SIGTERM, then waits for the process to exit (SIGKILL after 30 s). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
}
