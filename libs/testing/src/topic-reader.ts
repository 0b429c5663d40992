import type { ConsumedMessage, KafkaClient } from '@manifold/kafka';
import { uniqueName } from './names';

/**
 * Reads a topic (or several: e.g. every retry tier of a type) from the start, in a consumer group
 * of its own, until `done(messages so far)` or `timeoutMs` passed; then returns what came, so the
 * caller's assertion says what is missing.
 */
export async function readTopicUntil(
  kafka: KafkaClient,
  topic: string | readonly string[],
  done: (messages: readonly ConsumedMessage[]) => boolean,
  timeoutMs = 20000,
): Promise<ConsumedMessage[]> {
  const received: ConsumedMessage[] = [];
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const consumer = kafka.consumer({
    groupId: uniqueName('test-reader'),
    topics: typeof topic === 'string' ? [topic] : topic,
    fromBeginning: true,
    maxWaitTimeMs: 200,
    handleBatch: async (batch) => {
      received.push(...batch.messages);
      if (done(received)) finish();
    },
  });
  await consumer.run();
  const timer = setTimeout(finish, timeoutMs);
  await finished;
  clearTimeout(timer);
  await consumer.stop();
  return received;
}

/** Reads a topic from the start until `count` messages came or `timeoutMs` passed (see readTopicUntil). */
export function readTopic(
  kafka: KafkaClient,
  topic: string,
  count: number,
  timeoutMs = 20000,
): Promise<ConsumedMessage[]> {
  return readTopicUntil(kafka, topic, (messages) => messages.length >= count, timeoutMs);
}
