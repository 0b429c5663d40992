import type { KafkaNames, TraceIndexMessage } from '@manifold/events';
import type { KafkaClient } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import type { TraceIndex } from './trace-index';

/** Reads the translators' trace index messages into the trace index (one group for the replicas). */
export async function startTraceIndexConsumer(options: {
  kafka: KafkaClient;
  names: KafkaNames;
  index: TraceIndex;
  retentionMs: number;
  logger: Logger;
}): Promise<{ stop(): Promise<void> }> {
  const { kafka, names, index, logger } = options;
  await kafka.ensureTopics([
    {
      topic: names.eventTraceIndex,
      partitions: 1,
      config: { 'retention.ms': String(options.retentionMs), 'max.message.bytes': String(8 << 20) },
    },
  ]);
  const consumer = kafka.consumer({
    groupId: names.controlPlaneTraceIndexGroup,
    topics: [names.eventTraceIndex],
    handleBatch: async (batch) => {
      for (const message of batch.messages) {
        let parsed: TraceIndexMessage;
        try {
          parsed = JSON.parse(message.value?.toString('utf8') ?? 'null') as TraceIndexMessage;
          if (parsed?.v !== 1 || !Array.isArray(parsed.keys)) throw new Error('not a trace index message');
        } catch (error) {
          logger.warn({ offset: message.offset, err: error }, 'skipping a message that is not a trace index message');
          continue;
        }
        await index.add(parsed);
      }
    },
  });
  await consumer.run();
  return { stop: () => consumer.stop() };
}
