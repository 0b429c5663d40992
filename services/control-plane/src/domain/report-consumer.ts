import { KafkaClient, type ConsumerLagTelemetry, type ConsumerRunner, type KafkaClientSettings } from '@manifold/kafka';
import { isPlainObject } from '@manifold/destination-kit';
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
        if (batch.topic === names.warehouseStatus) {
          const record = message.value ? decodeStatusRecord(message.value) : undefined;
          if (record) await observability.recordWarehouseStatus(record);
          continue;
        }
        const all: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
        // A report of another shape (an older data plane's, one produced by hand) is skipped: thrown
        // out of here it failed the batch, which Kafka then gave again and again, so nothing after it
        // on its partition was ever counted. Only the store's own failures fail the batch (retried).
        const shaped =
          batch.topic === names.warehouseLoads
            ? isLoadRecord
            : batch.topic === names.deliverySamples
              ? isPlainObject
              : isDeliveryReport;
        const items = all.filter(shaped);
        if (items.length < all.length) {
          logger.warn(
            {
              topic: batch.topic,
              partition: message.partition,
              offset: message.offset,
              skipped: all.length - items.length,
            },
            'skipping reports of another shape',
          );
        }
        if (batch.topic === names.warehouseLoads) {
          for (const item of items) await observability.recordLoad(item as WarehouseLoadRecord);
        } else if (batch.topic === names.deliverySamples) {
          // The store skips a sample without a destination, reason or time itself.
          for (const item of items) await observability.recordSample(item as DeliverySample);
        } else if (items.length > 0) {
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

const isTime = (value: unknown): boolean => typeof value === 'string' && !Number.isNaN(Date.parse(value));

/** What the delivery counters read of a report (delivery-counters.ts). */
function isDeliveryReport(value: unknown): boolean {
  return (
    isPlainObject(value) &&
    typeof value['destinationId'] === 'string' &&
    typeof value['outcome'] === 'string' &&
    typeof value['count'] === 'number' &&
    isTime(value['at']) &&
    (value['latenciesMs'] === undefined || Array.isArray(value['latenciesMs']))
  );
}

/** What the load history reads of a load record (warehouse-syncs.ts). */
function isLoadRecord(value: unknown): boolean {
  return (
    isPlainObject(value) &&
    typeof value['loadId'] === 'string' &&
    typeof value['warehouseId'] === 'string' &&
    isTime(value['startedAt']) &&
    isTime(value['finishedAt']) &&
    isPlainObject(value['rowsByTable']) &&
    Array.isArray(value['errors']) &&
    (value['skipped'] === undefined || Array.isArray(value['skipped']))
  );
}
