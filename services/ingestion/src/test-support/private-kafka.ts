import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@manifold/testing';

const run = promisify(execFile);
const script = resolve(__dirname, '../../../../deploy/local/kafka/kafka.sh');

/**
 * A Kafka broker of this test alone (its own run folder and ports), so it can be stopped
 * without disturbing anyone else's tests on the shared broker. Restarting keeps its data.
 */
export class PrivateKafka {
  private constructor(
    readonly runDir: string,
    readonly port: number,
    private readonly controllerPort: number,
  ) {}

  static async create(): Promise<PrivateKafka> {
    return new PrivateKafka(mkdtempSync(join(tmpdir(), 'ingestion-kafka-')), await freePort(), await freePort());
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  private async script(command: 'start' | 'stop'): Promise<void> {
    await run('bash', [script, command], {
      env: {
        ...process.env,
        MANIFOLD_RUN_DIR: this.runDir,
        KAFKA_PORT: String(this.port),
        KAFKA_CONTROLLER_PORT: String(this.controllerPort),
      },
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
