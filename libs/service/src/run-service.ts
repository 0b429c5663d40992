import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, type Logger } from '@manifold/logger';
import { startTelemetry, type Telemetry } from '@manifold/telemetry';
import { ReadinessRegistry } from './readiness';

export interface ServiceContext {
  name: string;
  logger: Logger;
  telemetry: Telemetry;
  readiness: ReadinessRegistry;
  /**
   * Registers cleanup for shutdown. Hooks run in reverse order of registration, so whatever
   * was started last (e.g. the HTTP listener) stops first and its dependencies stop after.
   */
  onShutdown(name: string, hook: () => Promise<void> | void): void;
}

export interface RunServiceOptions {
  name: string;
  /** Port of the admin HTTP server: /healthz, /readyz and /metrics. 0 picks a free port. */
  adminPort: number;
  adminHost?: string;
  otlpEndpoint?: string | undefined;
  /** Stop on SIGTERM/SIGINT and exit the process afterwards. Tests turn this off. */
  handleSignals?: boolean;
  /** Longest time shutdown hooks may take before the process exits anyway. */
  shutdownTimeoutMs?: number;
  logger?: Logger;
  start(context: ServiceContext): Promise<void>;
}

export interface RunningService {
  context: ServiceContext;
  adminPort: number;
  shutdown(reason?: string): Promise<void>;
}

/**
 * The lifecycle every Manifold service shares: telemetry first, an admin server for probes and
 * scraping, the service's own start, and an orderly shutdown that drains work before exiting.
 */
export async function runService(options: RunServiceOptions): Promise<RunningService> {
  const logger = options.logger ?? createLogger(options.name);
  const telemetry = startTelemetry({ serviceName: options.name, otlpEndpoint: options.otlpEndpoint });
  const readiness = new ReadinessRegistry();
  const hooks: Array<{ name: string; hook: () => Promise<void> | void }> = [];
  let started = false;

  const context: ServiceContext = {
    name: options.name,
    logger,
    telemetry,
    readiness,
    onShutdown: (name, hook) => hooks.push({ name, hook }),
  };

  const admin = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else if (path === '/readyz') {
      void readiness.report().then((report) => {
        const ready = started && report.ready;
        res
          .writeHead(ready ? 200 : 503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ ...report, ready, started }));
      });
    } else if (path === '/metrics') {
      telemetry.handleMetricsRequest(req, res);
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    }
  });
  await listen(admin, options.adminPort, options.adminHost ?? '0.0.0.0');
  const adminPort = (admin.address() as AddressInfo).port;

  let shuttingDown: Promise<void> | undefined;
  const shutdown = (reason = 'requested'): Promise<void> => {
    shuttingDown ??= (async () => {
      logger.info({ reason }, 'shutting down');
      readiness.markDraining();
      const timeoutMs = options.shutdownTimeoutMs ?? 25000;
      const deadline = setTimeout(() => {
        logger.error({ timeoutMs }, 'shutdown took too long; exiting anyway');
        process.exit(1);
      }, timeoutMs);
      deadline.unref();
      for (const { name, hook } of [...hooks].reverse()) {
        try {
          await hook();
        } catch (error) {
          logger.error({ err: error, hook: name }, 'shutdown hook failed');
        }
      }
      await new Promise((resolve) => admin.close(resolve));
      await telemetry.shutdown();
      clearTimeout(deadline);
      logger.info('stopped');
    })();
    return shuttingDown;
  };

  if (options.handleSignals ?? true) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        void shutdown(signal).then(() => process.exit(0));
      });
    }
  }

  try {
    await options.start(context);
  } catch (error) {
    logger.error({ err: error }, 'start failed');
    await shutdown('start failed');
    throw error;
  }
  started = true;
  logger.info({ adminPort }, 'started');
  return { context, adminPort, shutdown };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // Exclusive: in a cluster worker the admin port is the worker's own, never shared with the
    // other workers (whose listener for the service's traffic is).
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
