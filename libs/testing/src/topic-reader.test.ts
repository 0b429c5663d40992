import { KafkaClient } from '@manifold/kafka';
import { requireKafka } from './probes';
import { testInfrastructure } from './infrastructure';
import { testTopicPrefix, uniqueName } from './names';
import { testLogger } from './test-logger';
import { readTopicUntil } from './topic-reader';

// A test that waits for a record which may land on any of several topics (a type's retry tiers)
// reads them all at once. Real Kafka.
describe('readTopicUntil', () => {
  let kafka: KafkaClient;
  const prefix = testTopicPrefix();
  const first = `${prefix}reader.first`;
  const second = `${prefix}reader.second`;

  beforeAll(async () => {
    const { kafkaBrokers } = testInfrastructure();
    await requireKafka(kafkaBrokers);
    kafka = new KafkaClient({
      brokers: kafkaBrokers,
      clientId: uniqueName('reader-test'),
      logger: testLogger('reader'),
    });
    await kafka.ensureTopics([{ topic: first }, { topic: second }]);
    const producer = await kafka.producer();
    try {
      await producer.send(second, [{ value: 'on the second topic' }]);
    } finally {
      await producer.disconnect();
    }
  });

  afterAll(async () => {
    await kafka?.deleteTopics([first, second]).catch(() => undefined);
    await kafka?.disconnect();
  });

  it('reads several topics from the start until the condition holds', async () => {
    const messages = await readTopicUntil(kafka, [first, second], (m) => m.length > 0, 20000);
    expect(messages.map((m) => [m.topic, m.value?.toString('utf8')])).toEqual([[second, 'on the second topic']]);
  });

  it('returns what came when the time is up', async () => {
    expect(await readTopicUntil(kafka, first, (m) => m.length > 0, 1500)).toEqual([]);
  });
});
