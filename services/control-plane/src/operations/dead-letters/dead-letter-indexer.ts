import { decodeDeadLetter, type KafkaNames } from '@manifold/events';
import type { KafkaClient } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import type { DeadLetterStore } from './dead-letter-store';

/**
 * Reads every destination type's dead-letter topic into the dead-letter store, in one consumer
 * group the control plane's replicas share. Topics a translator has not created yet are created
 * here (the translator leaves an existing topic as it is).
 */
export async function startDeadLetterIndexer(options: {
  kafka: KafkaClient;
  names: KafkaNames;
  destinationTypes: readonly string[];
  store: DeadLetterStore;
  logger: Logger;
}): Promise<{ stop(): Promise<void> }> {
  const { kafka, names, store, logger } = options;
  const topics = options.destinationTypes.map((type) => names.deadLetter(type));
  await kafka.ensureTopics(
    topics.map((topic) => ({ topic, partitions: 3, config: { 'max.message.bytes': String(8 << 20) } })),
  );
  const consumer = kafka.consumer({
    groupId: names.controlPlaneDeadLettersGroup,
    topics,
    handleBatch: async (batch) => {
      for (const message of batch.messages) {
        if (!message.value) continue;
        try {
          const record = decodeDeadLetter(message.value);
          await store.add(record, message);
        } catch (error) {
          if (error instanceof SyntaxError || (error instanceof Error && /dead letter/.test(error.message))) {
            logger.warn(
              { topic: batch.topic, offset: message.offset, err: error },
              'skipping a message that is not a dead letter',
            );
            continue;
          }
          throw error;
        }
      }
    },
  });
  await consumer.run();
  return { stop: () => consumer.stop() };
}
