// The loader creates its topics (loads, status, replay) with KAFKA_REPLICATION_FACTOR, not 1.
// The test broker has one node, so it refuses a factor of 2: the refusal proves the factor arrived.
import { InMemoryConfigView } from '@manifold/config-client';
import { kafkaClientSettings } from '@manifold/kafka';
import { requireKafka, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { loadLoaderConfig } from './config';
import { startLoaderApp } from './loader-app';

it('creates its topics with KAFKA_REPLICATION_FACTOR', async () => {
  const { kafkaBrokers } = testInfrastructure();
  await requireKafka(kafkaBrokers);
  const config = loadLoaderConfig({
    KAFKA_BROKERS: kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: uniqueName('rf-loader'),
    KAFKA_REPLICATION_FACTOR: '2',
    WAREHOUSE_CONFIG_FILE: 'unused.json',
  });
  await expect(
    startLoaderApp({
      config: new InMemoryConfigView(),
      kafkaBrokers: config.KAFKA_BROKERS,
      kafkaSettings: kafkaClientSettings(config),
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      logger: testLogger('loader-rf'),
    }),
  ).rejects.toThrow(/Kafka refused to create topics: .*INVALID_REPLICATION_FACTOR/);
});
