import { decodeEventMessage, encodeRedelivery, EVENT_HEADERS, replayOrigin, type KafkaNames } from '@manifold/events';
import type { ConsumedMessage, EventProducer, KafkaClient, OutgoingMessage } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import type { ListReplaysRequest, ListReplaysResponse, Replay, StartReplayRequest } from '@manifold/proto';
import type { Collection, Db } from 'mongodb';
import type { CallContext } from '../../domain/context';
import { resolveDestination } from '../../domain/destinations';
import { ControlPlaneError } from '../../domain/errors';
import { randomAlphanumeric } from '../../domain/ids';
import { resolveSource } from '../../domain/sources';
import { resolveWorkspace } from '../../domain/workspaces';
import type { Store } from '../../store/store';
import type { RunOutcomes } from '../runs/run-outcomes';
import { Pacer, type RunWorker, type RunDoc, type RunLease } from '../runs/run-worker';
import { RunRecords } from '../runs/run-records';
import { topicRanges, type PartitionRange } from '../runs/topic-ranges';

interface ReplayDoc extends RunDoc {
  sourceId: string;
  sourceName: string;
  destinationId: string;
  destinationName: string;
  destinationType: string;
  warehouse: boolean;
  from: Date;
  to: Date;
  ratePerSecond: number;
  /** The range on the events topic, per partition, set when the replay starts reading. */
  ranges?: PartitionRange[];
  /** p<partition> → the next offset to read. */
  positions: Record<string, string>;
  total: number;
  scanned: number;
  sent: number;
  sentByType: Record<string, number>;
  firstMessageId?: string;
  lastMessageId?: string;
  firstReceivedAt?: Date;
  lastReceivedAt?: Date;
  retainedFrom?: Date;
}

const DEFAULT_RATE = 500;
const MAX_RATE = 100_000;

/**
 * Replays: one source's events of a time range, read again from the events topic (offsets for
 * the range's times, while Kafka retains them) and published to the redelivery topic of the
 * chosen instance's type, or to the warehouse replay topic, addressed to that one instance.
 * Each replayed event carries the replay's own claim origin: a messageId delivered to the
 * instance in the last 24 hours is refused there as a duplicate, as any resent event is.
 */
export class Replays {
  readonly runs: Collection<ReplayDoc>;
  readonly worker: RunWorker<ReplayDoc>;
  private readonly records: RunRecords<ReplayDoc>;

  constructor(
    db: Db,
    private readonly deps: {
      store: Store;
      kafka: KafkaClient;
      producer: Pick<EventProducer, 'send'>;
      outcomes: RunOutcomes;
      names: KafkaNames;
      eventsTopic: string;
      logger: Logger;
      now: () => Date;
    },
  ) {
    this.runs = db.collection('replays');
    this.records = new RunRecords(this.runs, {
      store: deps.store,
      noun: 'replay',
      process: (run, lease) => this.process(run, lease),
      logger: deps.logger,
      now: deps.now,
    });
    this.worker = this.records.worker;
  }

  ensureIndexes(): Promise<void> {
    return this.records.ensureIndexes();
  }

  async start(req: StartReplayRequest, ctx: CallContext): Promise<Replay> {
    const workspace = await resolveWorkspace(this.deps.store, req.workspace);
    const source = await resolveSource(this.deps.store, workspace, req.source);
    const destination = await resolveDestination(this.deps.store, workspace, req.destination);
    const violations = [];
    if (!req.from) violations.push({ field: 'from', message: 'is required' });
    if (!req.to) violations.push({ field: 'to', message: 'is required' });
    if (req.from && req.to && req.from >= req.to) violations.push({ field: 'to', message: 'must be after from' });
    if (req.to && req.to > new Date(ctx.now.getTime() + 60_000)) {
      violations.push({ field: 'to', message: 'is in the future' });
    }
    if (req.ratePerSecond < 0 || req.ratePerSecond > MAX_RATE) {
      violations.push({ field: 'rate_per_second', message: `must be from 1 to ${MAX_RATE} (0: ${DEFAULT_RATE})` });
    }
    if (violations.length > 0) throw ControlPlaneError.invalid(violations);
    if (!destination.sourceIds.includes(source._id)) {
      throw ControlPlaneError.failedPrecondition(
        `${destination.name} is not connected to ${source.name}: connect it first (replayed events go to connected destinations only)`,
      );
    }
    const run: ReplayDoc = {
      _id: `rp_${randomAlphanumeric(20)}`,
      workspaceId: workspace._id,
      status: 'running',
      requestedBy: ctx.actor,
      requestedAt: ctx.now,
      sourceId: source._id,
      sourceName: source.name,
      destinationId: destination._id,
      destinationName: destination.name,
      destinationType: destination.catalogId,
      warehouse: destination.warehouse,
      from: req.from as Date,
      to: req.to as Date,
      ratePerSecond: req.ratePerSecond || DEFAULT_RATE,
      positions: {},
      total: 0,
      scanned: 0,
      sent: 0,
      sentByType: {},
    };
    await this.runs.insertOne(run);
    this.deps.logger.info(
      { runId: run._id, sourceId: source._id, destinationId: destination._id, actor: ctx.actor },
      'replay requested',
    );
    this.worker.poke();
    return this.present(run);
  }

  async get(workspaceKey: string, id: string): Promise<Replay> {
    return this.present(await this.records.one(workspaceKey, id));
  }

  async list(req: ListReplaysRequest): Promise<ListReplaysResponse> {
    const runs = await this.records.latest(req.workspace, req.limit);
    return { replays: await Promise.all(runs.map((r) => this.present(r))) };
  }

  async cancel(workspaceKey: string, id: string, ctx: CallContext): Promise<Replay> {
    return this.present(await this.records.requestStop(workspaceKey, id, ctx.actor));
  }

  private async present(run: ReplayDoc): Promise<Replay> {
    return {
      id: run._id,
      workspaceId: run.workspaceId,
      sourceId: run.sourceId,
      sourceName: run.sourceName,
      destinationId: run.destinationId,
      destinationName: run.destinationName,
      warehouse: run.warehouse,
      from: run.from,
      to: run.to,
      ratePerSecond: run.ratePerSecond,
      status: run.status,
      requestedBy: run.requestedBy,
      requestedAt: run.requestedAt,
      finishedAt: run.finishedAt,
      cancelledBy: run.stoppedBy ?? '',
      total: run.total,
      scanned: run.scanned,
      progress: run.status === 'done' ? 1 : run.total > 0 ? Math.min(1, run.scanned / run.total) : 0,
      sent: run.sent,
      sentByType: Object.entries(run.sentByType).map(([eventType, count]) => ({ eventType, count })),
      firstMessageId: run.firstMessageId ?? '',
      lastMessageId: run.lastMessageId ?? '',
      firstReceivedAt: run.firstReceivedAt,
      lastReceivedAt: run.lastReceivedAt,
      outcomes: await this.deps.outcomes.of(run._id),
      retainedFrom: run.retainedFrom,
      error: run.error ?? '',
    };
  }

  /** The range on the events topic, per partition: offsets for the two times, within what Kafka still holds. */
  private async plan(run: ReplayDoc): Promise<PartitionRange[]> {
    const { ranges, total } = await topicRanges(this.deps.kafka, this.deps.eventsTopic, run.from, run.to);
    const positions = Object.fromEntries(ranges.map((r) => [`p${r.partition}`, r.from]));
    await this.serially(run._id, () => this.runs.updateOne({ _id: run._id }, { $set: { ranges, total, positions } }));
    run.positions = positions;
    run.total = total;
    return ranges;
  }

  /** The worker's part: read the range, publish this source's events at the rate, count, until done or cancelled. */
  private async process(run: ReplayDoc, lease: RunLease<ReplayDoc>): Promise<void> {
    const { names, kafka, logger } = this.deps;
    const ranges = run.ranges ?? (await this.plan(run));
    const topic = run.warehouse ? names.warehouseReplay : names.redeliver(run.destinationType);
    const pacer = new Pacer(run.ratePerSecond);
    const watch = this.records.watch(run, lease);
    const open = ranges.map((r) => ({
      partition: r.partition,
      from: run.positions[`p${r.partition}`] ?? r.from,
      to: r.to,
    }));
    const result = await kafka.readRanges({
      topic: this.deps.eventsTopic,
      ranges: open,
      keepGoing: () => !watch.over,
      handleBatch: async (messages, { heartbeat }) => {
        await this.take(run, topic, messages, pacer, ranges, () => watch.interrupted());
        await heartbeat();
      },
    });
    if (watch.lost || lease.closing) return;
    const status = result.complete && !watch.stopping ? 'done' : 'stopped';
    await this.serially(run._id, () =>
      this.runs.updateOne({ _id: run._id }, { $set: { status, finishedAt: this.deps.now() } }),
    );
    logger.info({ runId: run._id, status, sent: run.sent }, 'replay finished');
  }

  /**
   * One batch of one partition: the source's events published chunk by chunk at the rate, and
   * after each chunk how far the replay got (a replay taken over resumes there).
   */
  private async take(
    run: ReplayDoc,
    topic: string,
    messages: readonly ConsumedMessage[],
    pacer: Pacer,
    ranges: NonNullable<ReplayDoc['ranges']>,
    interrupted: () => Promise<boolean>,
  ): Promise<void> {
    const first = messages[0] as ConsumedMessage;
    const planned = ranges.find((r) => r.partition === first.partition);
    // Kafka no longer held the start of the range: say from when it did.
    if (planned && first.offset === planned.from && first.timestamp > run.from.getTime()) {
      const at = new Date(first.timestamp);
      if (!run.retainedFrom || at < run.retainedFrom) {
        run.retainedFrom = at;
        await this.serially(run._id, () => this.runs.updateOne({ _id: run._id }, { $set: { retainedFrom: at } }));
      }
    }
    let out: OutgoingMessage[] = [];
    let byType: Record<string, number> = {};
    let scanned = 0;
    const flush = async (through: ConsumedMessage): Promise<void> => {
      if (out.length > 0) {
        await pacer.take(out.length);
        await this.deps.producer.send(topic, out, { timeoutMs: 10_000 });
      }
      const next = (BigInt(through.offset) + 1n).toString();
      run.positions[`p${through.partition}`] = next;
      run.scanned += scanned;
      run.sent += out.length;
      const inc: Record<string, number> = { scanned, sent: out.length };
      for (const [type, count] of Object.entries(byType)) {
        inc[`sentByType.${type}`] = count;
        run.sentByType[type] = (run.sentByType[type] ?? 0) + count;
      }
      await this.progressed(run, { [`positions.p${through.partition}`]: next }, inc);
      out = [];
      byType = {};
      scanned = 0;
    };
    let lastSeen: ConsumedMessage | undefined;
    for (const message of messages) {
      if (out.length === 0 && (await interrupted())) break;
      scanned += 1;
      lastSeen = message;
      const event = this.replayed(run, message);
      if (event) {
        out.push(event.message);
        byType[event.type] = (byType[event.type] ?? 0) + 1;
      }
      if (out.length >= pacer.chunk) await flush(message);
    }
    // The rest up to the last message looked at (a cancelled replay resumes nowhere, a taken-over one there).
    if (lastSeen && scanned > 0) await flush(lastSeen);
  }

  /** The redelivery of a message of the run's source (undefined for others, and for what is not an event). */
  private replayed(run: ReplayDoc, message: ConsumedMessage): { message: OutgoingMessage; type: string } | undefined {
    if (message.headers[EVENT_HEADERS.sourceId] !== run.sourceId) return undefined;
    let decoded;
    try {
      decoded = decodeEventMessage(message);
    } catch {
      return undefined;
    }
    const { event, metadata } = decoded;
    const receivedAt = new Date(event.receivedAt);
    if (!run.firstReceivedAt || receivedAt < run.firstReceivedAt) {
      run.firstReceivedAt = receivedAt;
      run.firstMessageId = event.messageId;
    }
    if (!run.lastReceivedAt || receivedAt >= run.lastReceivedAt) {
      run.lastReceivedAt = receivedAt;
      run.lastMessageId = event.messageId;
    }
    const redelivery = encodeRedelivery({
      kind: 'replay',
      event,
      metadata,
      destinationId: run.destinationId,
      origin: replayOrigin(run._id, `${message.topic}/${message.partition}/${message.offset}`),
      runId: run._id,
    });
    return { message: redelivery, type: event.type };
  }

  /**
   * Stores progress: the counters added, and the first and last events as this worker knows them
   * now (taken when the write goes, so a later write never carries older ones than one before it).
   */
  private async progressed(run: ReplayDoc, set: Record<string, unknown>, inc: Record<string, number>): Promise<void> {
    await this.serially(run._id, async () => {
      const firstLast = {
        ...(run.firstReceivedAt ? { firstReceivedAt: run.firstReceivedAt, firstMessageId: run.firstMessageId } : {}),
        ...(run.lastReceivedAt ? { lastReceivedAt: run.lastReceivedAt, lastMessageId: run.lastMessageId } : {}),
      };
      await this.runs.updateOne({ _id: run._id }, { $set: { ...set, ...firstLast }, $inc: inc });
    });
  }

  /** Every write of a replay's document, one after another (see SerialWrites). */
  private serially<T>(runId: string, write: () => Promise<T>): Promise<T> {
    return this.records.writes.run(runId, write);
  }

  /** Forgets replays that finished before `before`. */
  async sweep(before: Date): Promise<number> {
    const old = await this.runs.find({ finishedAt: { $lt: before } }, { projection: { _id: 1 } }).toArray();
    if (old.length === 0) return 0;
    await this.deps.outcomes.forget(old.map((r) => r._id));
    return (await this.runs.deleteMany({ _id: { $in: old.map((r) => r._id) } })).deletedCount;
  }
}
