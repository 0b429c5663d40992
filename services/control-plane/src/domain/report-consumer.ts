import { KafkaClient, type ConsumerLagTelemetry, type ConsumerRunner, type KafkaClientSettings } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import { KafkaNames, type DeliveryReport, type DeliverySample } from '@manifold/events';
import { decodeStatusRecord, type WarehouseLoadRecord } from '@manifold/warehouse';
import type { Observability } from './observability';

/**
 * Feeds the data plane's reports (delivery outcomes and error samples from translators, load and
 * status records from the warehouse loader) into the control plane's store, where the console
 * reads them. Replicas share one consumer group, so each report is counted by one replica.
 */
export async function startReportConsumer(
  brokers: readonly string[],
  observability: Observability,
  logger: Logger,
  names: KafkaNames = new KafkaNames(),
  groupId = names.controlPlaneReportsGroup,
  /** Where the group's lag is exported. */
  telemetry?: ConsumerLagTelemetry,
  /** Security and the replication factor of the topics it creates. */
  settings?: KafkaClientSettings,
): Promise<{ stop(): Promise<void> }> {
  const kafka = new KafkaClient({ brokers, clientId: 'manifold-control-plane', logger, telemetry, ...settings });
  try {
    await kafka.ensureTopics([
      { topic: names.deliveryReports, partitions: 3 },
      { topic: names.deliverySamples, partitions: 3 },
      { topic: names.warehouseLoads, partitions: 1 },
      { topic: names.warehouseStatus, partitions: 1 },
    ]);
  } catch (error) {
    await kafka.disconnect();
    throw error;
  }
  const consumer: ConsumerRunner = kafka.consumer({
    groupId,
    topics: [names.deliveryReports, names.deliverySamples, names.warehouseLoads, names.warehouseStatus],
    handleBatch: async (batch) => {
      for (const message of batch.messages) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(message.value?.toString('utf8') ?? 'null');
        } catch {
          logger.warn({ topic: batch.topic, offset: message.offset }, 'skipping a report that is not JSON');
          continue;
        }
        const items = Array.isArray(parsed) ? parsed : [parsed];
        if (batch.topic === names.warehouseLoads) {
          for (const item of items) await observability.recordLoad(item as WarehouseLoadRecord);
        } else if (batch.topic === names.warehouseStatus) {
          const record = message.value ? decodeStatusRecord(message.value) : undefined;
          if (record) await observability.recordWarehouseStatus(record);
        } else if (batch.topic === names.deliverySamples) {
          for (const item of items) await observability.recordSample(item as DeliverySample);
        } else {
          await observability.recordDelivery(items as DeliveryReport[], {
            partition: message.partition,
            offset: message.offset,
          });
        }
      }
    },
  });
  await consumer.run();
  return {
    async stop() {
      await consumer.stop();
      await kafka.disconnect();
    },
  };
}
