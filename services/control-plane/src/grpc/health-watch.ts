import type { Logger } from '@manifold/logger';

export interface HealthWatchOptions {
  /** Throws while the dependency does not answer (MongoDB's ping). */
  check: () => Promise<void>;
  /** Told each change: SERVING (true) or NOT_SERVING (false). */
  setServing: (serving: boolean) => void;
  logger: Logger;
  /** How often to check (ms); a Kubernetes probe every 5 s sees a change within one period. */
  intervalMs?: number;
  /** A check that has not answered within this is a failure (ms). */
  timeoutMs?: number;
}

/**
 * Keeps grpc.health.v1 truthful: gRPC probes (Kubernetes' readinessProbe.grpc) otherwise see
 * SERVING while MongoDB, without which every call fails, is down. Checks in the background, so
 * a probe's answer never waits on MongoDB.
 */
export function startHealthWatch(options: HealthWatchOptions): { stop(): void } {
  const intervalMs = options.intervalMs ?? 2000;
  const timeoutMs = options.timeoutMs ?? 2000;
  let serving = true;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const round = async (): Promise<void> => {
    let failure: unknown;
    let deadline: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        options.check(),
        new Promise((_, reject) => {
          deadline = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      failure = error;
    } finally {
      clearTimeout(deadline);
    }
    if (stopped) return;
    const now = failure === undefined;
    if (now !== serving) {
      serving = now;
      options.setServing(now);
      if (now) options.logger.info('MongoDB answers again: gRPC health is SERVING');
      else options.logger.warn({ err: failure }, 'MongoDB does not answer: gRPC health is NOT_SERVING');
    }
    timer = setTimeout(() => void round(), intervalMs);
    timer.unref();
  };
  timer = setTimeout(() => void round(), intervalMs);
  timer.unref();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
