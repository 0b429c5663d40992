import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigCache, configCacheBox } from '@manifold/config-client/testing';
import { KafkaClient } from '@manifold/kafka';
import { startChild, stopChild, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { testSnapshot } from './harness';

export interface IngestionChild {
  child: ChildProcess;
  url: string;
  adminUrl: string;
  topic: string;
  /** Resident memory now and at its peak (VmRSS, VmHWM), in MB. */
  memoryMb(): { rss: number; peak: number };
  /** The process ids of its workers (workers mode), from the kernel's list of its children. */
  workerPids(): number[];
  /** SIGTERM, then deletes the topic and the config cache. */
  stop(): Promise<void>;
}

const repoRoot = resolve(__dirname, '../../../..');
/** The control plane is unreachable; the token only seals the config cache. */
const TOKEN = 'ingestion-child-token';

function statusMb(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]) / 1024;
}

/**
 * A real ingestion process (TypeScript sources through tsx, the node flags of `pnpm start`),
 * configured by environment variables like production, with the test snapshot as its cached
 * configuration (the control plane is unreachable) and a fresh topic on the test Kafka.
 */
export async function startIngestionProcess(env: Record<string, string> = {}): Promise<IngestionChild> {
  const dir = mkdtempSync(join(tmpdir(), 'ingestion-child-'));
  // The cache as a run with the same token left it (sealed with a key derived from the token).
  const cache = new ConfigCache(join(dir, 'config.json'), configCacheBox({ token: TOKEN }), testLogger('cache'));
  cache.save(testSnapshot());
  await cache.flush();
  const topic = uniqueName('ingestion-child');
  const brokers = testInfrastructure().kafkaBrokers;
  const { child, info } = await startChild(join(__dirname, 'serve-process.ts'), {
    nodeFlags: ['--max-semi-space-size=16', '--import', pathToFileURL(require.resolve('tsx')).href],
    env: {
      TSX_TSCONFIG_PATH: join(repoRoot, 'tsconfig.json'),
      PORT: '0',
      HOST: '127.0.0.1',
      ADMIN_PORT: '0',
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_EVENTS_TOPIC: topic,
      KAFKA_EVENTS_PARTITIONS: '2',
      CONTROL_PLANE_ADDRESS: '127.0.0.1:1',
      CONTROL_PLANE_TOKEN: TOKEN,
      CONFIG_CACHE_FILE: join(dir, 'config.json'),
      LOG_LEVEL: 'error',
      // One process, as before workers mode; tests of workers mode ask for more.
      INGESTION_WORKERS: '1',
      ...env,
    },
  });
  const pid = child.pid as number;
  return {
    child,
    url: String(info['url']),
    adminUrl: String(info['adminUrl']),
    topic,
    memoryMb: () => ({ rss: statusMb(pid, 'VmRSS'), peak: statusMb(pid, 'VmHWM') }),
    workerPids: () => {
      try {
        return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
          .trim()
          .split(/\s+/)
          .filter(Boolean)
          .map(Number);
      } catch {
        return [];
      }
    },
    async stop() {
      await stopChild(child);
      const kafka = new KafkaClient({
        brokers,
        clientId: uniqueName('ingestion-child-cleanup'),
        logger: testLogger('cleanup'),
      });
      await kafka.deleteTopics([topic]).catch(() => undefined);
      await kafka.disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
