import { TOPICS } from '@manifold/events';
import type { LoadNotice } from './layout';

/**
 * Load history: one record per load attempt of one source into one warehouse, published by
 * the loader (key: warehouse id) and consumed by the control plane, which serves it to the
 * console. Segment's sync statuses (libs/warehouse/README.md#layout): success = all rows and no notices,
 * partial = loaded with notices or with events set aside (`skipped`), failure = nothing loaded
 * (the load is retried).
 */
export const WAREHOUSE_LOADS_TOPIC = TOPICS.warehouseLoads;

export type WarehouseLoadStatus = 'success' | 'partial' | 'failure';

export interface WarehouseLoadRecord {
  /** Unique per attempt. */
  loadId: string;
  warehouseId: string;
  workspaceId: string;
  sourceId: string;
  /** The schema loaded into (from the source's slug). */
  schema: string;
  status: WarehouseLoadStatus;
  /** ISO-8601. */
  startedAt: string;
  finishedAt: string;
  /** Events this load took from Kafka for this source (after removing repeated message ids). */
  events: number;
  /** Rows written per table: new event rows (redeliveries excluded) and upserted users. */
  rowsByTable: Record<string, number>;
  /** Sum of rowsByTable. */
  rows: number;
  /** Tables created and columns added by this load. */
  tablesCreated: string[];
  columnsAdded: Array<{ table: string; column: string; type: string }>;
  notices: LoadNotice[];
  /** Why the load failed; empty on success. Secrets are never included. */
  errors: string[];
  /**
   * Events the warehouse refused for good even without every value the layout can spare (a fault
   * in the id or the users key, a row too big), isolated by splitting the load and set aside with
   * the warehouse's reason: they are not retried. An event refused for some values only is loaded
   * without them instead, each a `value_refused` notice. At most MAX_LISTED_SKIPPED are listed;
   * `skippedEvents` counts them all. Absent in older records.
   */
  skipped?: SkippedEvent[];
  skippedEvents?: number;
  /** 1 for the first attempt at these events, counting up while the warehouse keeps failing. */
  attempt: number;
  /**
   * Where this load's events were on the events topic: per partition, the first and last offset
   * (a load takes a source's events in the order they were read, so the load holds that source's
   * events between them). The per-event trace finds an event's load by them. Absent in older records.
   */
  offsets?: LoadOffsets[];
}

export interface LoadOffsets {
  partition: number;
  first: string;
  last: string;
}

/** The offset ranges of some events, per partition. */
export function loadOffsets(events: readonly { partition: number; offset: bigint }[]): LoadOffsets[] {
  const ranges = new Map<number, { first: bigint; last: bigint }>();
  for (const { partition, offset } of events) {
    const range = ranges.get(partition);
    if (!range) ranges.set(partition, { first: offset, last: offset });
    else {
      if (offset < range.first) range.first = offset;
      if (offset > range.last) range.last = offset;
    }
  }
  return [...ranges]
    .sort(([a], [b]) => a - b)
    .map(([partition, r]) => ({ partition, first: r.first.toString(), last: r.last.toString() }));
}

export interface SkippedEvent {
  messageId: string;
  reason: string;
}

/** A record stays a small Kafka message however many events a load sets aside. */
export const MAX_LISTED_SKIPPED = 100;

export function encodeLoadRecord(record: WarehouseLoadRecord): { key: string; value: string } {
  return { key: record.warehouseId, value: JSON.stringify(record) };
}
