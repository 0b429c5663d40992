// Test support: a real warehouse loader running the Reverse ETL models of a console stack. It reads
// its warehouses from the control plane's configuration stream and the models from the records
// the control plane writes, and publishes row changes to an events topic of its own.
import { KafkaNames } from '@manifold/events';
import { ReverseEtlStore } from '@manifold/reverse-etl';
import { testInfrastructure, testLogger, testTopicPrefix } from '@manifold/testing';
import { startLoaderApp, type LoaderApp } from '@manifold/warehouse-loader';
import type { ConsoleStack } from './stack';

/**
 * Needs a stack started with `dataPlane` (its configuration stream and Kafka client). A run waits
 * `deliveryTimeoutMs` for its deliveries' outcomes: 2 s by default, for stacks with no translator
 * (their runs then end with every delivery missing). `delivered`: the row changes go to the data
 * plane's topics, for its translator to deliver and report on (give a long timeout then).
 */
export async function startReverseEtlLoader(
  stack: ConsoleStack,
  options: { deliveryTimeoutMs?: number; delivered?: boolean } = {},
): Promise<LoaderApp> {
  const dataPlane = stack.dataPlane;
  if (!dataPlane) throw new Error('the Reverse ETL loader needs a console stack started with dataPlane');
  const topicPrefix = options.delivered ? dataPlane.topicPrefix : testTopicPrefix();
  await dataPlane.kafka.ensureTopics([{ topic: new KafkaNames(topicPrefix).events, partitions: 1 }]);
  return startLoaderApp({
    config: dataPlane.configView,
    kafkaBrokers: testInfrastructure().kafkaBrokers,
    logger: testLogger('console-reverse-etl-loader'),
    topicPrefix,
    reverseEtl: {
      store: new ReverseEtlStore(stack.controlPlane.domain.store.db),
      checkIntervalMs: 200,
      deliveryTimeoutMs: options.deliveryTimeoutMs ?? 2000,
    },
  });
}
