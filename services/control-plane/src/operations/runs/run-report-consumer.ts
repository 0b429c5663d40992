import type { DeliveryReport, KafkaNames } from '@manifold/events';
import type { KafkaClient } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import type { RunOutcomes } from './run-outcomes';

/**
 * Counts the delivery reports that name a redrive or replay, for that run (its own consumer
 * group on the reports topic, beside the delivery stats': a run's tally never waits on them).
 */
export async function startRunReportConsumer(options: {
  kafka: KafkaClient;
  names: KafkaNames;
  outcomes: RunOutcomes;
  logger: Logger;
}): Promise<{ stop(): Promise<void> }> {
  const { kafka, names, outcomes, logger } = options;
  await kafka.ensureTopics([{ topic: names.deliveryReports, partitions: 3 }]);
  const consumer = kafka.consumer({
    groupId: `${names.controlPlaneReportsGroup}-runs`,
    topics: [names.deliveryReports],
    handleBatch: async (batch) => {
      for (const message of batch.messages) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(message.value?.toString('utf8') ?? 'null');
        } catch {
          logger.debug({ offset: message.offset }, 'skipping a report that is not JSON');
          continue;
        }
        const reports = (Array.isArray(parsed) ? parsed : [parsed]) as DeliveryReport[];
        const ofRuns = reports.filter((r) => typeof r?.runId === 'string');
        if (ofRuns.length > 0) await outcomes.record(ofRuns, message);
      }
    },
  });
  await consumer.run();
  return { stop: () => consumer.stop() };
}
