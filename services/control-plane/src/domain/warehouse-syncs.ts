import type { ListWarehouseLoadsResponse, WarehouseLoad, WarehouseStatus } from '@manifold/proto';
import {
  describeLoadNotice,
  type LoadNotice,
  type WarehouseLoadRecord,
  type WarehouseStatusRecord,
} from '@manifold/warehouse';
import type { Collection, Db } from 'mongodb';
import type { DestinationDoc, WorkspaceDoc } from '../store/documents';
import type { Store } from '../store/store';

interface WarehouseLoadDoc {
  _id: string;
  warehouseId: string;
  workspaceId: string;
  sourceId: string;
  schema?: string;
  startedAt: Date;
  finishedAt: Date;
  status: string;
  events?: number;
  rows: Array<{ table: string; rows: number }>;
  /** Errors and events set aside, in words. (Before notices were kept apart, their JSON too.) */
  errors: string[];
  notices?: LoadNotice[];
  /** Where the load's events were on the events topic (absent in older records). */
  offsets?: WarehouseLoadRecord['offsets'];
}

/** A load as the per-event trace reads it. */
export type TracedLoad = Pick<
  WarehouseLoadDoc,
  '_id' | 'status' | 'startedAt' | 'finishedAt' | 'errors' | 'offsets' | 'schema'
>;

interface WarehouseStatusDoc {
  _id: string;
  workspaceId: string;
  at: Date;
  nextSyncAt: Date;
  pendingEvents: number;
  syncRequestedAt?: Date;
}

/**
 * Warehouse load history and schedule, from the loaders' records (load-history and status
 * topics; the report consumer is the only writer), and "sync now" requests, which reach the
 * loaders through the config stream.
 */
export class WarehouseSyncs {
  private readonly loads: Collection<WarehouseLoadDoc>;
  private readonly statuses: Collection<WarehouseStatusDoc>;

  constructor(
    private readonly store: Store,
    db: Db,
    private readonly onChange: () => Promise<void>,
  ) {
    this.loads = db.collection('warehouse_loads');
    this.statuses = db.collection('warehouse_status');
  }

  async ensureIndexes(): Promise<void> {
    await this.loads.createIndex({ warehouseId: 1, startedAt: -1 }, { name: 'by_warehouse_time' });
  }

  async recordLoad(record: WarehouseLoadRecord): Promise<void> {
    // Keyed by load id: a record delivered twice is stored once.
    await this.loads.updateOne(
      { _id: record.loadId },
      {
        $set: {
          warehouseId: record.warehouseId,
          workspaceId: record.workspaceId,
          sourceId: record.sourceId,
          schema: record.schema,
          startedAt: new Date(record.startedAt),
          finishedAt: new Date(record.finishedAt),
          status: record.status,
          events: record.events,
          rows: Object.entries(record.rowsByTable).map(([table, rows]) => ({ table, rows })),
          errors: [...record.errors, ...skippedLines(record)],
          notices: record.notices,
          offsets: record.offsets ?? [],
        },
      },
      { upsert: true },
    );
  }

  /** The loads of one source into one warehouse that started from `since` on, oldest first (the per-event trace). */
  async loadsOfSourceSince(warehouseId: string, sourceId: string, since: Date, limit = 200): Promise<TracedLoad[]> {
    return this.loads
      .find({ warehouseId, sourceId, startedAt: { $gte: since } })
      .sort({ startedAt: 1 })
      .limit(limit)
      .toArray();
  }

  /** The latest word of a warehouse's loader about its schedule (a late, older record changes nothing). */
  async recordStatus(record: WarehouseStatusRecord): Promise<void> {
    const at = new Date(record.at);
    const set: Omit<WarehouseStatusDoc, '_id'> = {
      workspaceId: record.workspaceId,
      at,
      nextSyncAt: new Date(record.nextSyncAt),
      pendingEvents: record.pendingEvents,
      ...(record.syncRequestedAt ? { syncRequestedAt: new Date(record.syncRequestedAt) } : {}),
    };
    const current = await this.statuses.findOne({ _id: record.warehouseId });
    if (current && current.at > at) return;
    await this.statuses.updateOne({ _id: record.warehouseId }, { $set: set }, { upsert: true });
  }

  async history(warehouse: DestinationDoc, limit: number): Promise<ListWarehouseLoadsResponse> {
    const docs = await this.loads
      .find({ warehouseId: warehouse._id }, { sort: { startedAt: -1 }, limit: Math.min(Math.max(limit, 1), 500) })
      .toArray();
    return { loads: docs.map(presentLoad) };
  }

  async list(workspace: WorkspaceDoc): Promise<WarehouseStatus[]> {
    const warehouses = await this.store.destinations
      .find({ workspaceId: workspace._id, warehouse: true })
      .sort({ nameSort: 1 })
      .toArray();
    return Promise.all(warehouses.map((w) => this.status(w)));
  }

  async status(warehouse: DestinationDoc): Promise<WarehouseStatus> {
    const [last] = await this.loads.find({ warehouseId: warehouse._id }).sort({ startedAt: -1 }).limit(1).toArray();
    const reported = await this.statuses.findOne({ _id: warehouse._id });
    return {
      warehouseId: warehouse._id,
      name: warehouse.name,
      kind: warehouse.catalogId,
      enabled: warehouse.enabled,
      syncIntervalSeconds: warehouse.syncIntervalSeconds,
      lastSync: last ? presentLoad(last) : undefined,
      nextSyncAt: reported?.nextSyncAt,
      syncRequestedAt: warehouse.syncRequestedAt,
      syncStartedAt: reported?.syncRequestedAt,
      pendingEvents: reported?.pendingEvents ?? 0,
      reportedAt: reported?.at,
      sourceNames: warehouse.sourceNames,
    };
  }

  /** Asks the loaders of `warehouse` to load now: a new config version carries the request to them. */
  async requestSync(warehouse: DestinationDoc, now: Date): Promise<WarehouseStatus> {
    await this.store.destinations.updateOne({ _id: warehouse._id }, { $set: { syncRequestedAt: now } });
    await this.onChange();
    return this.status({ ...warehouse, syncRequestedAt: now });
  }
}

function presentLoad(d: WarehouseLoadDoc): WarehouseLoad {
  // Loads stored before notices were kept apart have them as JSON among the errors.
  const errors: string[] = [];
  const notices: string[] = (d.notices ?? []).map(describeLoadNotice);
  for (const line of d.errors) {
    const notice = legacyNotice(line);
    if (notice) notices.push(describeLoadNotice(notice));
    else errors.push(line);
  }
  return {
    id: d._id,
    warehouseId: d.warehouseId,
    sourceId: d.sourceId,
    startedAt: d.startedAt,
    finishedAt: d.finishedAt,
    rows: d.rows,
    errors,
    status: d.status,
    notices,
    durationMs: Math.max(0, d.finishedAt.getTime() - d.startedAt.getTime()),
    events: d.events ?? 0,
    schema: d.schema ?? '',
  };
}

function legacyNotice(line: string): LoadNotice | undefined {
  if (!line.startsWith('{"kind"')) return undefined;
  try {
    return JSON.parse(line) as LoadNotice;
  } catch {
    return undefined;
  }
}

/** Events a load set aside (the warehouse refused them for good), as lines of the load's history. */
function skippedLines(record: WarehouseLoadRecord): string[] {
  const listed = record.skipped ?? [];
  const lines = listed.map((s) => `event ${s.messageId} set aside: ${s.reason}`);
  const unlisted = (record.skippedEvents ?? listed.length) - listed.length;
  if (unlisted > 0) lines.push(`and ${unlisted} more events set aside`);
  return lines;
}
