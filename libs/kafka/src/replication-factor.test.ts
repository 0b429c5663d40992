// KAFKA_REPLICATION_FACTOR reaches every topic a client creates. The test broker has one node,
// so a factor of 2 is refused by the broker: the refusal proves the factor was asked for.
import { requireKafka, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { KafkaClient } from './index';

const logger = testLogger('kafka-replication-factor');

describe('replication factor of created topics', () => {
  const { kafkaBrokers } = testInfrastructure();
  let client: KafkaClient;

  beforeAll(async () => {
    await requireKafka(kafkaBrokers);
    client = new KafkaClient({ brokers: kafkaBrokers, clientId: 'kafka-rf', logger, replicationFactor: 2 });
  });

  afterAll(async () => {
    await client?.disconnect();
  });

  it("creates topics with the client's replication factor", async () => {
    const topic = uniqueName('rf');
    await expect(client.ensureTopics([{ topic }])).rejects.toThrow(
      `Kafka refused to create topics: ${topic}: INVALID_REPLICATION_FACTOR`,
    );
    expect(await client.listTopics()).not.toContain(topic);
  });

  it("lets a topic's own spec decide", async () => {
    const topic = uniqueName('rf-own');
    await client.ensureTopics([{ topic, replicationFactor: 1 }]);
    expect(await client.listTopics()).toContain(topic);
    await client.deleteTopics([topic]);
  });
});
