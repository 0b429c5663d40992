import type { EventProducer } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import {
  WAREHOUSE_LOADS_TOPIC,
  encodeLoadRecord,
  encodeStatusRecord,
  type WarehouseLoadRecord,
  type WarehouseStatusRecord,
} from '@manifold/warehouse';

/** Where load records go: the load-history topic for the control plane, and the log. */
export interface LoadHistory {
  record(record: WarehouseLoadRecord): Promise<void>;
  /** The loader's schedule (next sync, "sync now" taken up), for the warehouses list; never awaited. */
  status?(record: WarehouseStatusRecord): void;
}

/**
 * Publishes each load record to Kafka and logs it. A record that cannot be published is logged
 * and dropped: the history is for people, and must never hold up or fail a load.
 */
export class KafkaLoadHistory implements LoadHistory {
  constructor(
    private readonly producer: EventProducer,
    private readonly logger: Logger,
    private readonly topic: string = WAREHOUSE_LOADS_TOPIC,
    private readonly statusTopic?: string,
  ) {}

  status(record: WarehouseStatusRecord): void {
    if (!this.statusTopic) return;
    this.producer.send(this.statusTopic, [encodeStatusRecord(record)], { timeoutMs: 10000 }).catch((error: unknown) => {
      this.logger.debug({ err: error, warehouseId: record.warehouseId }, 'warehouse status not published');
    });
  }

  async record(record: WarehouseLoadRecord): Promise<void> {
    logLoad(this.logger, record);
    try {
      await this.producer.send(this.topic, [encodeLoadRecord(record)], { timeoutMs: 10000 });
    } catch (error) {
      this.logger.warn({ err: error, loadId: record.loadId }, 'load record not published');
    }
  }
}

export function logLoad(logger: Logger, record: WarehouseLoadRecord): void {
  const summary = {
    loadId: record.loadId,
    warehouseId: record.warehouseId,
    sourceId: record.sourceId,
    schema: record.schema,
    status: record.status,
    events: record.events,
    rows: record.rows,
    rowsByTable: record.rowsByTable,
    durationMs: Date.parse(record.finishedAt) - Date.parse(record.startedAt),
    attempt: record.attempt,
    notices: record.notices.length,
    skippedEvents: record.skippedEvents ?? 0,
  };
  if (record.status === 'failure') logger.warn({ ...summary, errors: record.errors }, 'warehouse load failed');
  else if (summary.skippedEvents > 0)
    logger.warn({ ...summary, skipped: record.skipped }, 'warehouse load set events aside');
  else logger.info(summary, 'warehouse load finished');
}
