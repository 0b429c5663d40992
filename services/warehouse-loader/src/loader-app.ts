import type { ConfigView } from '@manifold/config-client';
import { KafkaNames } from '@manifold/events';
import { KafkaClient, type KafkaClientSettings } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import type { ReverseEtlStore } from '@manifold/reverse-etl';
import type { ReadinessRegistry } from '@manifold/service';
import { metricPrefix, type Meter } from '@manifold/telemetry';
import { KafkaLoadHistory } from './load-history';
import { LoaderSupervisor } from './loader-supervisor';
import { registerLoaderMetrics } from './metrics';
import type { WarehouseLoaderOptions } from './warehouse-loader';
import { startReverseEtlRunner, startRunDeliveriesConsumer, type ReverseEtlRunner } from './reverse-etl';

export interface LoaderAppOptions {
  config: ConfigView;
  kafkaBrokers: readonly string[];
  /** Security and the replication factor of the topics it creates (KAFKA_* variables). */
  kafkaSettings?: KafkaClientSettings;
  logger: Logger;
  /** KAFKA_TOPIC_PREFIX: the prefix of every topic and consumer group. Default: none. */
  topicPrefix?: string;
  /** Default: the accepted-events topic under the prefix. */
  eventsTopic?: string;
  /** Default: the load history topic under the prefix. */
  loadsTopic?: string;
  loaderOptions?: Omit<
    WarehouseLoaderOptions,
    'warehouse' | 'config' | 'kafka' | 'history' | 'logger' | 'eventsTopic' | 'names'
  >;
  readiness?: ReadinessRegistry;
  /** Where the loader's metrics go (the service's meter; none in tests). */
  meter?: Meter;
  /** Runs Reverse ETL models (src/reverse-etl) when given. */
  reverseEtl?: {
    store: ReverseEtlStore;
    checkIntervalMs?: number;
    pageSize?: number;
    /** How long a run waits for its deliveries' outcomes (see ReverseEtlRunnerOptions). */
    deliveryTimeoutMs?: number;
  };
}

export interface LoaderApp {
  supervisor: LoaderSupervisor;
  reverseEtl?: ReverseEtlRunner;
  /** Finishes loads in progress, commits, and disconnects; in that order. */
  stop(): Promise<void>;
}

/** Wires Kafka, the load history and the supervisor; what main.ts and test processes run. */
export async function startLoaderApp(options: LoaderAppOptions): Promise<LoaderApp> {
  const kafka = new KafkaClient({
    brokers: options.kafkaBrokers,
    clientId: 'warehouse-loader',
    logger: options.logger,
    ...options.kafkaSettings,
    // exports the lag of every warehouse's consumer group (it commits only after a load)
    telemetry: options.meter ? { meter: options.meter, metricPrefix: metricPrefix('warehouse-loader') } : undefined,
  });
  const names = new KafkaNames(options.topicPrefix);
  const loadsTopic = options.loadsTopic ?? names.warehouseLoads;
  try {
    await kafka.ensureTopics([
      { topic: loadsTopic, partitions: 1, config: { 'retention.ms': String(30 * 24 * 3600 * 1000) } },
      { topic: names.warehouseStatus, partitions: 1 },
      // Replays for a warehouse (from the control plane): each loader reads it beside the events topic.
      { topic: names.warehouseReplay, partitions: 3 },
    ]);
  } catch (error) {
    await kafka.disconnect();
    throw error;
  }
  const producer = await kafka.producer();
  const history = new KafkaLoadHistory(
    producer,
    options.logger.child({ component: 'load-history' }),
    loadsTopic,
    names.warehouseStatus,
  );
  const supervisor = new LoaderSupervisor({
    config: options.config,
    kafka,
    history,
    logger: options.logger,
    loaderOptions: {
      ...options.loaderOptions,
      names,
      ...(options.eventsTopic ? { eventsTopic: options.eventsTopic } : {}),
    },
  });
  options.readiness?.add('kafka', async () => {
    await kafka.ping();
  });
  // A warehouse that stopped loading makes the loader not ready, so it shows where people look.
  options.readiness?.add('warehouse loads', () => {
    const stalled = stalledWarehouses(supervisor);
    if (stalled.length > 0) throw new Error(stalled.join('; '));
  });
  await supervisor.start();
  if (options.meter) registerLoaderMetrics(options.meter, supervisor);
  const reverseEtl =
    options.reverseEtl &&
    startReverseEtlRunner({
      store: options.reverseEtl.store,
      config: options.config,
      producer,
      eventsTopic: options.eventsTopic ?? names.events,
      logger: options.logger,
      ...(options.reverseEtl.checkIntervalMs ? { checkIntervalMs: options.reverseEtl.checkIntervalMs } : {}),
      ...(options.reverseEtl.pageSize ? { pageSize: options.reverseEtl.pageSize } : {}),
      ...(options.reverseEtl.deliveryTimeoutMs ? { deliveryTimeoutMs: options.reverseEtl.deliveryTimeoutMs } : {}),
    });
  // The runs' delivery outcomes, from the translators' reports: a run ends once each has one.
  const runDeliveries =
    options.reverseEtl &&
    (await startRunDeliveriesConsumer({
      kafka,
      names,
      store: options.reverseEtl.store,
      logger: options.logger.child({ component: 'reverse-etl-deliveries' }),
    }));
  return {
    supervisor,
    ...(reverseEtl ? { reverseEtl } : {}),
    stop: async () => {
      // A run stops between pages; the next runner takes it up from the last page recorded.
      await reverseEtl?.stop();
      await runDeliveries?.stop();
      await supervisor.stop();
      await producer.disconnect();
      await kafka.disconnect();
    },
  };
}

/** Each stalled warehouse, with why (see StallWatch). */
export function stalledWarehouses(supervisor: LoaderSupervisor): string[] {
  return supervisor.running.flatMap((id) => {
    const report = supervisor.loader(id)?.stalledReport();
    return report === undefined ? [] : [`warehouse ${id}: ${report}`];
  });
}
