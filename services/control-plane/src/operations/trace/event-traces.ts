import { decodeTraceRecord, type KafkaNames, type TraceEntry, type TraceExchange } from '@manifold/events';
import type { KafkaClient } from '@manifold/kafka';
import type { DestinationTrace, EventTrace, GetEventTraceRequest, TraceStep, WarehouseTrace } from '@manifold/proto';
import { requestSample, responseSample } from '../../domain/http-samples';
import { ControlPlaneError } from '../../domain/errors';
import type { Observability } from '../../domain/observability';
import type { TracedLoad } from '../../domain/warehouse-syncs';
import { resolveWorkspace } from '../../domain/workspaces';
import type { DestinationDoc } from '../../store/documents';
import type { Store } from '../../store/store';
import type { TraceIndex } from './trace-index';

interface Found {
  entry: TraceEntry;
  exchange?: TraceExchange;
}

/** A load that took an event: loads start after events arrive, so only those from shortly before are looked at. */
const LOAD_LOOKBACK_MS = 60_000;

/**
 * Per-event trace: finds an event's trace records through the index, reads them from the traces
 * topic, and puts together what each destination instance did (attempts with their masked
 * requests and answers, decisions not to send) and which warehouse load holds it.
 */
export class EventTraces {
  constructor(
    private readonly deps: {
      store: Store;
      index: TraceIndex;
      kafka: KafkaClient;
      names: KafkaNames;
      observability: Observability;
      eventsTopic: string;
      retentionMs: number;
    },
  ) {}

  async get(req: GetEventTraceRequest): Promise<EventTrace> {
    const messageId = req.messageId.trim();
    if (!messageId) throw ControlPlaneError.invalid([{ field: 'message_id', message: 'is required' }]);
    const workspace = await resolveWorkspace(this.deps.store, req.workspace);
    const found = await this.read(workspace._id, messageId);
    const empty: EventTrace = {
      messageId,
      found: false,
      sourceId: '',
      sourceName: '',
      eventType: '',
      eventName: '',
      topic: '',
      partition: 0,
      offset: 0,
      destinations: [],
      warehouses: [],
      retentionMs: this.deps.retentionMs,
    };
    if (found.length === 0) return empty;
    found.sort((a, b) => a.entry.at - b.entry.at || a.entry.attempt - b.entry.attempt);
    const first = (found[0] as Found).entry;
    // Where ingestion put it: the origin of an entry from the events topic (redeliveries have their own).
    const origin = found.map((f) => parseOrigin(f.entry.origin, this.deps.eventsTopic)).find((o) => o !== undefined);
    const instances = await this.deps.store.destinations
      .find({
        workspaceId: workspace._id,
        $or: [
          { _id: { $in: [...new Set(found.map((f) => f.entry.destinationId))] } },
          { warehouse: true, sourceIds: first.sourceId },
        ],
      })
      .toArray();
    const byId = new Map(instances.map((d) => [d._id, d]));
    const source = await this.deps.store.sources.findOne({ _id: first.sourceId, workspaceId: workspace._id });
    return {
      ...empty,
      found: true,
      sourceId: first.sourceId,
      sourceName: source?.name ?? '',
      receivedAt: new Date(first.receivedAt),
      eventType: first.eventType,
      eventName: first.eventName ?? '',
      topic: origin?.topic ?? '',
      partition: origin?.partition ?? 0,
      offset: origin ? Number(origin.offset) : 0,
      destinations: destinationTraces(found, byId),
      warehouses: origin
        ? await this.warehouses(
            instances.filter((d) => d.warehouse && d.sourceIds.includes(first.sourceId)),
            first,
            origin,
          )
        : [],
    };
  }

  /** The entries of the event in the records the index names (a hash collision brings others: left out). */
  private async read(workspaceId: string, messageId: string): Promise<Found[]> {
    const positions = await this.deps.index.positions(workspaceId, messageId);
    if (positions.length === 0) return [];
    const found: Found[] = [];
    await this.deps.kafka.readRanges({
      topic: this.deps.names.eventTraces,
      ranges: positions.map((p) => ({
        partition: p.partition,
        from: p.offset,
        to: (BigInt(p.offset) + 1n).toString(),
      })),
      idleTimeoutMs: 10_000,
      handleBatch: async (messages) => {
        for (const message of messages) {
          if (!message.value) continue;
          const record = decodeTraceRecord(message.value);
          for (const entry of record.entries) {
            if (entry.messageId !== messageId || entry.workspaceId !== workspaceId) continue;
            const exchange = entry.exchange !== undefined ? record.exchanges[entry.exchange] : undefined;
            found.push(exchange ? { entry, exchange } : { entry });
          }
        }
      },
    });
    return found;
  }

  /** For each warehouse of the source: the load whose offsets hold the event, or that none has yet. */
  private async warehouses(warehouses: DestinationDoc[], first: TraceEntry, origin: Origin): Promise<WarehouseTrace[]> {
    const since = new Date(Date.parse(first.receivedAt) - LOAD_LOOKBACK_MS);
    return Promise.all(
      warehouses.map(async (warehouse) => {
        const loads = await this.deps.observability.warehouses.loadsOfSourceSince(warehouse._id, first.sourceId, since);
        const holding = loads.filter((load) => holds(load, origin));
        // The successful one if any (a failed load's events are loaded again by a later one).
        const load = holding.find((l) => l.status !== 'failure') ?? holding[holding.length - 1];
        const trace: WarehouseTrace = {
          warehouseId: warehouse._id,
          name: warehouse.name,
          status: !load ? 'waiting' : load.status === 'failure' ? 'failed' : 'loaded',
          loadId: load?._id ?? '',
          loadStatus: load?.status ?? '',
          loadStartedAt: load?.startedAt,
          loadFinishedAt: load?.finishedAt,
          schema: load?.schema ?? '',
          errors: load?.errors ?? [],
        };
        return trace;
      }),
    );
  }
}

interface Origin {
  topic: string;
  partition: number;
  offset: string;
}

/** `topic/partition/offset` of the events topic; undefined for a redelivery's own origin. */
function parseOrigin(origin: string, eventsTopic: string): Origin | undefined {
  const match = /^(.*)\/(\d+)\/(\d+)$/.exec(origin);
  if (!match || match[1] !== eventsTopic) return undefined;
  return { topic: match[1], partition: Number(match[2]), offset: match[3] as string };
}

function holds(load: TracedLoad, origin: Origin): boolean {
  const offset = BigInt(origin.offset);
  return (load.offsets ?? []).some(
    (r) => r.partition === origin.partition && BigInt(r.first) <= offset && offset <= BigInt(r.last),
  );
}

function destinationTraces(found: readonly Found[], byId: Map<string, DestinationDoc>): DestinationTrace[] {
  const byInstance = new Map<string, Found[]>();
  for (const f of found) {
    const list = byInstance.get(f.entry.destinationId) ?? [];
    list.push(f);
    byInstance.set(f.entry.destinationId, list);
  }
  return [...byInstance].map(([id, steps]) => {
    const doc = byId.get(id);
    return {
      destinationId: id,
      name: doc?.name ?? '(deleted destination)',
      type: doc?.type ?? (steps[0] as Found).entry.destinationType,
      outcome: (steps[steps.length - 1] as Found).entry.outcome,
      steps: steps.map(toStep),
    };
  });
}

function toStep({ entry, exchange }: Found): TraceStep {
  const response = exchange?.response;
  return {
    at: new Date(entry.at),
    outcome: entry.outcome,
    reason: entry.reason ?? '',
    message: entry.message ?? '',
    attempt: entry.attempt,
    runId: entry.runId ?? '',
    request: exchange ? requestSample(exchange.request) : undefined,
    response: exchange ? responseSample(response ?? { error: exchange.error ?? '' }) : undefined,
    sentAt: entry.sentAt !== undefined ? new Date(entry.sentAt) : undefined,
    durationMs: entry.durationMs ?? 0,
    mappingId: entry.mappingId ?? '',
    mappingName: entry.mappingName ?? '',
  };
}
