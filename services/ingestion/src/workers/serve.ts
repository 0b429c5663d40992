import cluster from 'node:cluster';
import { createLogger } from '@manifold/logger';
import type { IngestionConfig } from '../config';
import { limitHeapGrowth } from '../heap-growth';
import { runIngestion } from '../run-ingestion';
import { WORKER_SLOT_ENV, type PrimaryMessage } from './messages';
import { runPrimary } from './primary';
import { defaultWorkerCount } from './worker-count';
import { WorkerLink } from './worker-link';

export interface Serving {
  /** The Tracking API's URL. */
  url: string;
  adminPort: number;
}

/** How many HTTP workers INGESTION_WORKERS asks for (0: as many as there are CPUs to use). */
export function workerCount(config: IngestionConfig): number {
  return config.INGESTION_WORKERS > 0 ? config.INGESTION_WORKERS : defaultWorkerCount();
}

/**
 * The ingestion process in whichever mode its configuration asks for: one process (1 worker),
 * or a primary and its workers. Resolves once the Tracking API serves.
 */
export async function serveIngestion(config: IngestionConfig): Promise<Serving> {
  limitHeapGrowth();
  if (cluster.isWorker) return serveAsWorker(config);
  const workers = workerCount(config);
  if (workers === 1) {
    const { ingestion, service } = await runIngestion(config);
    return { url: ingestion.url, adminPort: service.adminPort };
  }
  const primary = await runPrimary({
    workers,
    adminPort: config.ADMIN_PORT,
    adminHost: config.HOST,
    logger: createLogger('ingestion'),
  });
  return { url: primary.url, adminPort: primary.adminPort };
}

async function serveAsWorker(config: IngestionConfig): Promise<Serving> {
  const slot = Number(process.env[WORKER_SLOT_ENV] ?? 0);
  const link = new WorkerLink(
    slot,
    { requestsPerSecond: config.RATE_LIMIT_REQUESTS_PER_SECOND, burst: config.RATE_LIMIT_BURST },
    config.DEBUGGER_BUFFER_SIZE,
  );
  process.on('message', (message: PrimaryMessage) => link.receive(message));
  const { ingestion, service } = await runIngestion(config, {
    link,
    logger: createLogger('ingestion').child({ worker: slot }),
  });
  service.context.onShutdown('worker link', () => link.close());
  // The primary is gone (killed): nobody routes connections here any more.
  process.once('disconnect', () => {
    void service.shutdown('primary gone').then(() => process.exit(0));
  });
  process.send?.({ kind: 'ready', url: ingestion.url, adminPort: service.adminPort });
  return { url: ingestion.url, adminPort: service.adminPort };
}
