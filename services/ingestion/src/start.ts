import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EVENTS_TOPIC_MAX_MESSAGE_BYTES } from '@manifold/events';
import type { KafkaClient } from '@manifold/kafka';
import { createIngestionApp, type IngestionApp, type IngestionAppDeps } from './app';
import { RecoveringSender } from './publish/recovering-sender';

export interface StartIngestionOptions extends Omit<IngestionAppDeps, 'producer'> {
  kafka: KafkaClient;
  port: number;
  host?: string;
  /** Partitions and replication of the events topic when ingestion has to create it. */
  partitions: number;
  replicationFactor: number;
  /** How long shutdown waits for requests in progress before closing their connections (ms). */
  drainTimeoutMs?: number;
  /**
   * How long shutdown keeps serving before it closes the listener (ms), while /readyz already
   * says "draining": time for a load balancer to stop sending new connections here.
   */
  shutdownDelayMs?: number;
}

export interface RunningIngestion {
  app: IngestionApp;
  server: Server;
  port: number;
  /** http://host:port of the listener. */
  url: string;
  /** Stops taking requests, answers those in progress, flushes to Kafka, then disconnects. */
  close(): Promise<void>;
}

/** A record batch of one send holds up to PublishSettings.maxBatchBytes of one partition's events. */
const EVENTS_TOPIC_CONFIG = { 'max.message.bytes': String(EVENTS_TOPIC_MAX_MESSAGE_BYTES) };

export async function startIngestion(options: StartIngestionOptions): Promise<RunningIngestion> {
  const { kafka, settings, logger } = options;
  await kafka.ensureTopics([
    {
      topic: settings.topic,
      partitions: options.partitions,
      replicationFactor: options.replicationFactor,
      config: EVENTS_TOPIC_CONFIG,
    },
    {
      topic: settings.quarantineTopic,
      partitions: options.partitions,
      replicationFactor: options.replicationFactor,
      config: EVENTS_TOPIC_CONFIG,
    },
    {
      topic: settings.planReports.topic,
      partitions: 3,
      replicationFactor: options.replicationFactor,
      config: EVENTS_TOPIC_CONFIG,
    },
  ]);
  const producer = new RecoveringSender(() => kafka.producer(), logger);
  await producer.start();
  const app = createIngestionApp({ ...options, producer });

  const server = createServer({ keepAliveTimeout: 65000, requestTimeout: 30000 }, app.handler);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host ?? '0.0.0.0', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await producer.disconnect();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
  logger.info({ url, topic: settings.topic }, 'ingestion listening');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      if (options.shutdownDelayMs) await new Promise((resolve) => setTimeout(resolve, options.shutdownDelayMs));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await app.drain();
      // Keep-alive connections become idle as their last answer goes out; close them as they do.
      const sweeper = setInterval(() => server.closeIdleConnections(), 50);
      const forced = setTimeout(() => server.closeAllConnections(), options.drainTimeoutMs ?? 10000);
      await closed;
      clearInterval(sweeper);
      clearTimeout(forced);
      await app.drain();
      await producer.disconnect();
      logger.info('ingestion stopped');
    })());

  return { app, server, port: address.port, url, close };
}
