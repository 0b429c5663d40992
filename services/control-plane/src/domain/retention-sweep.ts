import type { Logger } from '@manifold/logger';
import type { Observability } from './observability';

/**
 * Deletes delivery counters and error samples past their retention every `intervalMs` (FerretDB
 * has no TTL indexes, and one way for both servers is simpler). Replicas may all run it: a delete
 * is idempotent.
 */
export function startRetentionSweep(
  observability: Observability,
  logger: Logger,
  now: () => Date,
  intervalMs = 10 * 60_000,
): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const sweep = (): void => {
    running = observability.sweep(now()).then(
      (deleted) => {
        if (deleted > 0) logger.debug({ deleted }, 'old delivery counters and samples deleted');
      },
      (error: unknown) => logger.warn({ err: error }, 'deleting old delivery counters failed; trying again later'),
    );
  };
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
