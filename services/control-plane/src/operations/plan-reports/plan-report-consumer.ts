import type { KafkaNames } from '@manifold/events';
import type { KafkaClient } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import type { PlanReport } from '@manifold/tracking-plans';
import type { ObservedEvents } from '../../domain/observed-events';
import type { PlanViolationCounts } from '../../domain/plan-violation-counts';

/**
 * Files ingestion's tracking-plan reports (TOPICS.planReports): violation counts per hour with
 * samples, and the observed shapes of each source's events. Replicas share the consumer group,
 * so each report is filed by one replica.
 */
export async function startPlanReportConsumer(options: {
  kafka: KafkaClient;
  names: KafkaNames;
  violations: PlanViolationCounts;
  observed: ObservedEvents;
  logger: Logger;
}): Promise<{ stop(): Promise<void> }> {
  const { kafka, names, violations, observed, logger } = options;
  await kafka.ensureTopics([
    { topic: names.planReports, partitions: 3, config: { 'max.message.bytes': String(8 << 20) } },
  ]);
  const consumer = kafka.consumer({
    groupId: names.controlPlanePlanReportsGroup,
    topics: [names.planReports],
    handleBatch: async (batch) => {
      for (const message of batch.messages) {
        let report: PlanReport;
        try {
          report = JSON.parse(message.value?.toString('utf8') ?? 'null') as PlanReport;
        } catch {
          logger.warn({ offset: message.offset }, 'skipping a tracking-plan report that is not JSON');
          continue;
        }
        if (
          typeof report?.sourceId !== 'string' ||
          !Array.isArray(report.violations) ||
          !Array.isArray(report.observed)
        ) {
          logger.warn({ offset: message.offset }, 'skipping a tracking-plan report of another shape');
          continue;
        }
        await violations.record(report, { partition: message.partition, offset: message.offset });
        await observed.record(report);
      }
    },
  });
  await consumer.run();
  return { stop: () => consumer.stop() };
}
