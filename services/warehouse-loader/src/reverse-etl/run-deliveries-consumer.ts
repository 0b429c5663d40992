import type { DeliveryReport, KafkaNames } from '@manifold/events';
import type { KafkaClient } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import { tallyRunDeliveries, type ReverseEtlStore } from '@manifold/reverse-etl';

export interface RunDeliveriesConsumerOptions {
  kafka: KafkaClient;
  names: KafkaNames;
  store: ReverseEtlStore;
  logger: Logger;
}

/**
 * Counts the translators' delivery reports about Reverse ETL row changes into their runs (its own
 * consumer group on the reports topic; every other report is read and skipped), and ends a
 * delivering run once each of its deliveries has an outcome. A report read twice is counted once
 * (the run keeps the last offset it took per partition, see ReverseEtlStore.recordDeliveries).
 */
export async function startRunDeliveriesConsumer(
  options: RunDeliveriesConsumerOptions,
): Promise<{ stop(): Promise<void> }> {
  const { kafka, names, store, logger } = options;
  await kafka.ensureTopics([{ topic: names.deliveryReports, partitions: 3 }]);
  const consumer = kafka.consumer({
    groupId: names.reverseEtlDeliveriesGroup,
    topics: [names.deliveryReports],
    handleBatch: async (batch) => {
      for (const message of batch.messages) {
        const reports = parseReports(message.value?.toString('utf8'));
        if (reports === undefined) {
          logger.debug({ offset: message.offset }, 'skipping a delivery report that is not JSON');
          continue;
        }
        for (const [runId, tally] of tallyRunDeliveries(reports)) {
          await store.recordDeliveries(runId, tally, { partition: batch.partition, offset: message.offset });
          if (await store.completeIfDelivered(runId)) {
            logger.info({ runId, modelId: tally.modelId }, 'model run delivered: every delivery has an outcome');
          }
        }
      }
    },
  });
  await consumer.run();
  return { stop: () => consumer.stop() };
}

/** A reports-topic value: one report, or several. */
function parseReports(value: string | undefined): DeliveryReport[] | undefined {
  try {
    const parsed: unknown = JSON.parse(value ?? 'null');
    const list = Array.isArray(parsed) ? parsed : [parsed];
    return list.filter((r): r is DeliveryReport => typeof r === 'object' && r !== null);
  } catch {
    return undefined;
  }
}
