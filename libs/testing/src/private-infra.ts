import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import { freePort } from './ports';

const run = promisify(execFile);
const repoRoot = resolve(__dirname, '../../..');

/**
 * One process of the local infrastructure (a `deploy/local/<name>/<name>.sh` script) in a run
 * folder and on ports of its own, so a test can stop it without disturbing anyone else's tests
 * on the shared one. Stopping and starting again keeps its data.
 */
export class PrivateService {
  protected constructor(
    private readonly component: 'kafka' | 'ferretdb',
    readonly runDir: string,
    private readonly env: Record<string, string>,
  ) {}

  protected static runFolder(component: string): string {
    return mkdtempSync(join(tmpdir(), `manifold-private-${component}-`));
  }

  private async script(command: 'start' | 'stop'): Promise<void> {
    const script = resolve(repoRoot, 'deploy/local', this.component, `${this.component}.sh`);
    await run('bash', [script, command], { env: { ...process.env, MANIFOLD_RUN_DIR: this.runDir, ...this.env } });
  }

  start(): Promise<void> {
    return this.script('start');
  }

  /** Stops the process (SIGTERM, then SIGKILL after the script's grace period). */
  stop(): Promise<void> {
    return this.script('stop');
  }

  /**
   * Suspends the process (SIGSTOP) without closing anything: connections stay open and requests
   * wait unanswered, as with a hung server. `thaw()` lets it go on with what it was sent.
   */
  async freeze(): Promise<void> {
    const pid = this.pid();
    process.kill(pid, 'SIGSTOP');
    // Resolves once the kernel shows it stopped (state T), not merely signalled.
    const deadline = Date.now() + 5000;
    while (processState(pid) !== 'T') {
      if (Date.now() > deadline) throw new Error(`${this.component} (pid ${pid}) did not stop`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  thaw(): void {
    process.kill(this.pid(), 'SIGCONT');
  }

  /** The process the script started (its pid file in the run folder). */
  private pid(): number {
    return Number(readFileSync(join(this.runDir, 'pids', `${this.component}.pid`), 'utf8'));
  }

  async destroy(): Promise<void> {
    // A frozen process takes no SIGTERM until it runs again.
    try {
      this.thaw();
    } catch {
      // Not running.
    }
    await this.stop().catch(() => undefined);
    rmSync(this.runDir, { recursive: true, force: true });
  }
}

/** The state letter of a Linux process (`R`, `S`, `T` when stopped, ...). */
function processState(pid: number): string | undefined {
  // The name (in parentheses) may hold spaces: the state follows its closing parenthesis.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
}

/**
 * A Kafka broker (KRaft) of one test alone. With `saslSsl`, it also has a SASL_SSL listener
 * (SCRAM-SHA-512, SCRAM-SHA-256 and PLAIN over TLS, certificates made by openssl in its run
 * folder), as `deploy/local/kafka/kafka.sh` makes one when KAFKA_SASL_SSL_PORT is set.
 */
export class PrivateKafka extends PrivateService {
  private constructor(
    runDir: string,
    readonly port: number,
    controllerPort: number,
    /** The SASL_SSL listener's port, when there is one. */
    readonly saslSslPort: number | undefined,
  ) {
    super('kafka', runDir, {
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(controllerPort),
      ...(saslSslPort !== undefined && { KAFKA_SASL_SSL_PORT: String(saslSslPort) }),
    });
  }

  static async create(options: { saslSsl?: boolean } = {}): Promise<PrivateKafka> {
    const saslSslPort = options.saslSsl ? await freePort() : undefined;
    return new PrivateKafka(PrivateService.runFolder('kafka'), await freePort(), await freePort(), saslSslPort);
  }

  /** The plaintext listener, for setting up and checking what a secured client did. */
  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  get saslSslBrokers(): string[] {
    if (this.saslSslPort === undefined) throw new Error('this PrivateKafka was created without saslSsl');
    return [`127.0.0.1:${this.saslSslPort}`];
  }

  /** Where the CA (ca.pem), a client certificate (client.pem, client.key) and client.env are. */
  get secureDir(): string {
    return join(this.runDir, 'kafka/secure');
  }

  /** The KAFKA_* variables of a client of the SASL_SSL listener (after start), KAFKA_BROKERS included. */
  saslSslClientEnv(): Record<string, string> {
    const lines = readFileSync(join(this.secureDir, 'client.env'), 'utf8').split('\n');
    const env = Object.fromEntries(
      lines.filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    return { ...env, KAFKA_BROKERS: this.saslSslBrokers.join(',') };
  }
}

/** A FerretDB (MongoDB wire protocol on SQLite) of one test alone. */
export class PrivateFerretDb extends PrivateService {
  private constructor(
    runDir: string,
    readonly port: number,
  ) {
    super('ferretdb', runDir, { FERRETDB_PORT: String(port) });
  }

  static async create(): Promise<PrivateFerretDb> {
    return new PrivateFerretDb(PrivateService.runFolder('ferretdb'), await freePort());
  }

  get url(): string {
    return `mongodb://127.0.0.1:${this.port}/`;
  }
}
