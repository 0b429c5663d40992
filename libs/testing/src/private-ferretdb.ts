import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports';

const run = promisify(execFile);
const script = resolve(__dirname, '../../../deploy/local/ferretdb/ferretdb.sh');

/**
 * A FerretDB of one test alone (its own run folder, data and port), for tests that need the
 * database to go away: stopping it disturbs no other test on the shared one. Started and
 * stopped by deploy/local's script, which tracks it by its pid file only. Restarting keeps its data.
 */
export class PrivateFerretDb {
  private constructor(
    readonly runDir: string,
    readonly port: number,
  ) {}

  static async create(): Promise<PrivateFerretDb> {
    return new PrivateFerretDb(mkdtempSync(join(tmpdir(), 'private-ferretdb-')), await freePort());
  }

  get url(): string {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  private async script(command: 'start' | 'stop'): Promise<void> {
    await run('bash', [script, command], {
      env: { ...process.env, MANIFOLD_RUN_DIR: this.runDir, FERRETDB_PORT: String(this.port) },
    });
  }

  start(): Promise<void> {
    return this.script('start');
  }

  stop(): Promise<void> {
    return this.script('stop');
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.runDir, { recursive: true, force: true });
  }
}
