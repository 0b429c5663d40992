// The consumer's 'manual' commit mode (libs/kafka), which the loader depends on: nothing is
// committed until commit() is called, and a restarted member resumes at the committed offset.
import { KafkaClient, type ConsumedMessage } from '@manifold/kafka';
import { requireKafka, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { waitFor } from './testing/harness';

const logger = testLogger('kafka-manual-commit');

it('commits only what the caller commits, and redelivers the rest to a restarted member', async () => {
  const { kafkaBrokers } = testInfrastructure();
  await requireKafka(kafkaBrokers);
  const kafka = new KafkaClient({ brokers: kafkaBrokers, clientId: 'manual-commit-test', logger });
  const topic = uniqueName('manual-commit');
  const groupId = uniqueName('manual-commit-group');
  await kafka.ensureTopics([{ topic }]);
  const producer = await kafka.producer();
  await producer.send(
    topic,
    ['a', 'b', 'c', 'd'].map((value) => ({ value })),
  );

  const received: ConsumedMessage[] = [];
  const consumer = kafka.consumer({
    groupId,
    topics: [topic],
    commitMode: 'manual',
    handleBatch: async (batch) => {
      received.push(...batch.messages);
    },
  });
  await consumer.run();
  await waitFor(() => received.length === 4, 30000, 'four messages');
  await new Promise((r) => setTimeout(r, 300));
  expect((await kafka.committedOffsets(groupId, topic)).get(0)).toBe('-1');
  await consumer.commit([{ topic, partition: 0, offset: '2' }]);
  expect((await kafka.committedOffsets(groupId, topic)).get(0)).toBe('2');
  await consumer.stop();
  // Stopping commits nothing more in manual mode.
  expect((await kafka.committedOffsets(groupId, topic)).get(0)).toBe('2');

  const again: string[] = [];
  const restarted = kafka.consumer({
    groupId,
    topics: [topic],
    commitMode: 'manual',
    handleBatch: async (batch) => {
      again.push(...batch.messages.map((m) => m.value?.toString() ?? ''));
    },
  });
  await restarted.run();
  await waitFor(() => again.length >= 2, 30000, 'the uncommitted messages again');
  await restarted.stop();
  expect(again).toEqual(['c', 'd']);

  await producer.disconnect();
  await kafka.deleteTopics([topic]);
  await kafka.disconnect();
}, 60000);
