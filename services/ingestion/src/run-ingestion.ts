import { connectConfigStream } from '@manifold/config-client';
import { KafkaClient, kafkaClientSettings } from '@manifold/kafka';
import { controlPlaneTls } from '@manifold/proto';
import type { Logger } from '@manifold/logger';
import { runService, type RunningService } from '@manifold/service';
import type { IngestionConfig } from './config';
import { settingsFromConfig } from './config';
import { startIngestion, type RunningIngestion } from './start';
import type { WorkerLink } from './workers/worker-link';

export interface IngestionProcess {
  service: RunningService;
  ingestion: RunningIngestion;
}

export interface RunIngestionOptions {
  /** Stop on SIGTERM/SIGINT and exit (the real process); tests turn it off. */
  handleSignals?: boolean;
  logger?: Logger;
  /** This process is one of several workers: the state they share goes through the primary. */
  link?: WorkerLink;
}

/**
 * The whole ingestion process: the config snapshot streamed from the control plane, Kafka and
 * the HTTP server, inside the shared service lifecycle (admin port, readiness, ordered shutdown).
 */
export async function runIngestion(
  config: IngestionConfig,
  options: RunIngestionOptions = {},
): Promise<IngestionProcess> {
  let ingestion: RunningIngestion | undefined;
  const service = await runService({
    name: 'ingestion',
    adminPort: config.ADMIN_PORT,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    handleSignals: options.handleSignals ?? true,
    ...(options.logger ? { logger: options.logger } : {}),
    async start(ctx) {
      const { logger } = ctx;
      // Write keys are checked against this in-memory snapshot; while the control plane is down
      // the last snapshot (kept in CONFIG_CACHE_FILE across restarts) stays in force.
      const configView = await connectConfigStream({
        address: config.CONTROL_PLANE_ADDRESS,
        token: config.CONTROL_PLANE_TOKEN,
        tls: controlPlaneTls(config),
        logger,
        client: 'ingestion',
        cacheFile: config.CONFIG_CACHE_FILE,
        cacheKey: config.CONFIG_CACHE_KEY,
      });
      ctx.onShutdown('config stream', () => configView.close());
      ctx.readiness.add('config', () => {
        if (configView.version === 0) throw new Error('no configuration snapshot yet');
      });

      const kafka = new KafkaClient({
        brokers: config.KAFKA_BROKERS,
        clientId: 'ingestion',
        logger,
        ...kafkaClientSettings(config),
      });
      ctx.onShutdown('kafka admin', () => kafka.disconnect());
      ctx.readiness.add('kafka', async () => {
        await kafka.ping();
      });

      ingestion = await startIngestion({
        kafka,
        configView,
        logger,
        meter: ctx.telemetry.meter,
        tracer: ctx.telemetry.tracer,
        settings: settingsFromConfig(config),
        port: config.PORT,
        host: config.HOST,
        partitions: config.KAFKA_EVENTS_PARTITIONS,
        replicationFactor: config.KAFKA_REPLICATION_FACTOR,
        shutdownDelayMs: config.SHUTDOWN_DELAY_MS,
        ...(options.link ? { shared: options.link } : {}),
      });
      // Registered last, so it stops first: no new requests, those in progress answered, queue flushed.
      const running = ingestion;
      ctx.onShutdown('http and publishing', () => running.close());
    },
  });
  if (!ingestion) throw new Error('ingestion did not start');
  return { service, ingestion };
}
