import type {
  DeliveryStats,
  DeliveryView,
  GetDeliveryStatsRequest,
  GetDeliveryViewRequest,
  ListDeliveryErrorsRequest,
  ListDeliveryErrorsResponse,
  ListWarehouseLoadsRequest,
  ListWarehouseLoadsResponse,
  ListWarehouseStatusRequest,
  ListWarehouseStatusResponse,
  SyncWarehouseRequest,
  WarehouseStatus,
} from '@manifold/proto';
import type { DeliveryReport, DeliverySample } from '@manifold/events';
import type { WarehouseLoadRecord, WarehouseStatusRecord } from '@manifold/warehouse';
import type { Db } from 'mongodb';
import { DeliveryCounters, periodStart, TEST_OUTCOME, type ReportPosition } from './delivery-counters';
import { DeliverySamples } from './delivery-samples';
import { buildDeliveryView, isViewRange } from './delivery-view';
import { resolveDestination } from './destinations';
import { ControlPlaneError } from './errors';
import { addBucketFields, percentiles, type LatencyBuckets } from './latency-histogram';
import { WarehouseSyncs } from './warehouse-syncs';
import { resolveWorkspace } from './workspaces';
import type { Store } from '../store/store';

export type { ReportPosition } from './delivery-counters';

/**
 * Delivery stats, the delivery view, error samples and warehouse syncs, aggregated from the data
 * plane's reports (see report-consumer.ts) and served to the console and the CLI.
 */
export class Observability {
  readonly counters: DeliveryCounters;
  readonly samples: DeliverySamples;
  readonly warehouses: WarehouseSyncs;

  constructor(
    private readonly store: Store,
    db: Db,
    onChange: () => Promise<void> = async () => undefined,
  ) {
    this.counters = new DeliveryCounters(db);
    this.samples = new DeliverySamples(db);
    this.warehouses = new WarehouseSyncs(store, db, onChange);
  }

  async ensureIndexes(): Promise<void> {
    await this.counters.ensureIndexes();
    await this.samples.ensureIndexes();
    await this.warehouses.ensureIndexes();
  }

  recordDelivery(reports: readonly DeliveryReport[], position: ReportPosition): Promise<void> {
    return this.counters.record(reports, position);
  }

  recordSample(sample: DeliverySample): Promise<void> {
    return this.samples.record(sample);
  }

  recordLoad(record: WarehouseLoadRecord): Promise<void> {
    return this.warehouses.recordLoad(record);
  }

  recordWarehouseStatus(record: WarehouseStatusRecord): Promise<void> {
    return this.warehouses.recordStatus(record);
  }

  /** Deletes counters and samples past their retention (FerretDB has no TTL indexes). */
  async sweep(now: Date): Promise<number> {
    return (await this.counters.sweep(now)) + (await this.samples.sweep(now));
  }

  /** Totals since `since` (default: the last 24 hours), from the per-minute counters. */
  async deliveryStats(req: GetDeliveryStatsRequest, now: Date): Promise<DeliveryStats> {
    const workspace = await resolveWorkspace(this.store, req.workspace);
    const destination = await resolveDestination(this.store, workspace, req.destination);
    const since = req.since ?? new Date(now.getTime() - 24 * 3600 * 1000);
    // Minutes are kept for a day and a bit; an older start reads the hours.
    const period = now.getTime() - since.getTime() > 25 * 3600 * 1000 ? 'hour' : 'minute';
    const docs = await this.counters.find(period, destination._id, periodStart(since, period));
    const totals = {
      delivered: 0,
      retried: 0,
      failed: 0,
      filtered: 0,
      fieldsDropped: 0,
      fieldsConverted: 0,
      testSends: 0,
    };
    const failures = new Map<string, number>();
    const filtered = new Map<string, number>();
    const droppedFields = new Map<string, number>();
    const convertedFields = new Map<string, number>();
    const testSends = new Map<string, number>();
    // Each stored outcome: the total it adds to, and its counts per reason when they are shown.
    const outcomes: Record<string, { total: keyof typeof totals; reasons?: Map<string, number> }> = {
      delivered: { total: 'delivered' },
      retried: { total: 'retried' },
      failed: { total: 'failed', reasons: failures },
      filtered: { total: 'filtered', reasons: filtered },
      field_dropped: { total: 'fieldsDropped', reasons: droppedFields },
      field_converted: { total: 'fieldsConverted', reasons: convertedFields },
      // The mapping tester's requests: their own total, never one of the above.
      [TEST_OUTCOME]: { total: 'testSends', reasons: testSends },
    };
    const latency: LatencyBuckets = new Map();
    let updatedAt: Date | undefined;
    for (const doc of docs) {
      const outcome = outcomes[doc.outcome];
      if (outcome) {
        totals[outcome.total] += doc.count;
        outcome.reasons?.set(doc.reason, (outcome.reasons.get(doc.reason) ?? 0) + doc.count);
      }
      if (doc.outcome === 'delivered') addBucketFields(latency, doc);
      if (!updatedAt || doc.start > updatedAt) updatedAt = doc.start;
    }
    const byCount = (m: Map<string, number>) =>
      [...m].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count);
    const { p50Ms, p95Ms, p99Ms } = percentiles(latency);
    return {
      destinationId: destination._id,
      ...totals,
      failuresByReason: byCount(failures),
      filteredByReason: byCount(filtered),
      droppedFieldsByReason: byCount(droppedFields),
      convertedFieldsByReason: byCount(convertedFields),
      testSendsByOutcome: byCount(testSends),
      latencyP50Ms: p50Ms,
      latencyP95Ms: p95Ms,
      latencyP99Ms: p99Ms,
      updatedAt,
    };
  }

  async deliveryView(req: GetDeliveryViewRequest, now: Date): Promise<DeliveryView> {
    const range = req.range || 'day';
    if (!isViewRange(range)) {
      throw ControlPlaneError.invalid([{ field: 'range', message: 'is hour, day or week' }]);
    }
    const workspace = await resolveWorkspace(this.store, req.workspace);
    const destination = await resolveDestination(this.store, workspace, req.destination);
    return buildDeliveryView(this.counters, this.samples, destination._id, range, now);
  }

  async deliveryErrors(req: ListDeliveryErrorsRequest): Promise<ListDeliveryErrorsResponse> {
    const workspace = await resolveWorkspace(this.store, req.workspace);
    const destination = await resolveDestination(this.store, workspace, req.destination);
    const limit = Math.min(Math.max(req.limit || 20, 1), 100);
    return {
      samples: await this.samples.list(destination._id, { ...(req.reason ? { reason: req.reason } : {}), limit }),
    };
  }

  async warehouseLoads(req: ListWarehouseLoadsRequest): Promise<ListWarehouseLoadsResponse> {
    const workspace = await resolveWorkspace(this.store, req.workspace);
    return this.warehouses.history(await this.warehouse(workspace, req.destination), req.limit);
  }

  async warehouseStatus(req: ListWarehouseStatusRequest): Promise<ListWarehouseStatusResponse> {
    return { warehouses: await this.warehouses.list(await resolveWorkspace(this.store, req.workspace)) };
  }

  async syncWarehouse(req: SyncWarehouseRequest, now: Date): Promise<WarehouseStatus> {
    const workspace = await resolveWorkspace(this.store, req.workspace);
    return this.warehouses.requestSync(await this.warehouse(workspace, req.destination), now);
  }

  private async warehouse(workspace: Awaited<ReturnType<typeof resolveWorkspace>>, key: string) {
    const doc = await resolveDestination(this.store, workspace, key);
    if (!doc.warehouse) {
      throw ControlPlaneError.invalid([{ field: 'destination', message: `${doc.name} is not a warehouse` }]);
    }
    return doc;
  }
}
