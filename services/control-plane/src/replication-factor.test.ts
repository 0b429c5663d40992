// The control plane creates its topics (reports it reads, redeliveries, replays) with
// KAFKA_REPLICATION_FACTOR, not 1. The test broker has one node, so it refuses a factor of 2:
// the refusal proves the factor arrived.
import { kafkaClientSettings } from '@manifold/kafka';
import { connectMongo } from '@manifold/mongo';
import { requireKafka, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { controlPlaneConfig } from './config';
import { startTestControlPlane, testSecretKey } from './test-support/harness';

it('creates its topics with KAFKA_REPLICATION_FACTOR', async () => {
  const { kafkaBrokers, mongoUrl } = testInfrastructure();
  await requireKafka(kafkaBrokers);
  const config = controlPlaneConfig({
    MONGO_URL: mongoUrl,
    CONTROL_PLANE_TOKEN: 'a-test-token-of-enough-length',
    CONTROL_PLANE_SECRET_KEY: testSecretKey(),
    KAFKA_BROKERS: kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: uniqueName('rf-cp'),
    KAFKA_REPLICATION_FACTOR: '2',
  });
  const database = uniqueName('cprf').replace(/[^a-z0-9]/gi, '');
  await expect(
    startTestControlPlane({
      database,
      kafkaBrokers: config.KAFKA_BROKERS,
      kafkaTopicPrefix: config.KAFKA_TOPIC_PREFIX,
      kafkaSettings: kafkaClientSettings(config),
    }),
  ).rejects.toThrow(/Kafka refused to create topics: .*INVALID_REPLICATION_FACTOR/);
  const mongo = await connectMongo({ url: mongoUrl, database, appName: 'cleanup', logger: testLogger('cleanup') });
  await mongo.db.dropDatabase();
  await mongo.close();
});
