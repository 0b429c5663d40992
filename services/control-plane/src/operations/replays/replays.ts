import { decodeEventMessage, encodeRedelivery, EVENT_HEADERS, replayOrigin, type KafkaNames } from '@manifold/events';
import type { ConsumedMessage, EventProducer, KafkaClient, OutgoingMessage } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import type { ListReplaysRequest, ListReplaysResponse, Replay, StartReplayRequest } from '@manifold/proto';
import type { Collection, Db } from 'mongodb';
import type { CallContext } from '../../domain/context';
import { resolveDestination } from '../../domain/destinations';
import { ControlPlaneError } from '../../domain/errors';
import { resolveSource } from '../../domain/sources';
import { resolveWorkspace } from '../../domain/workspaces';
import type { Store } from '../../store/store';
import type { RunOutcomes } from '../runs/run-outcomes';
import type { Pacer, RunWorker, RunLease } from '../runs/run-worker';
import { RunRecords } from '../runs/run-records';
import type { PartitionRange } from '../runs/topic-ranges';
import { newRangeRun, presentRangeRun, rateViolations, type RangeRunDoc } from './range-run';
import { readRange } from './read-range';

interface ReplayDoc extends RangeRunDoc {
  destinationId: string;
  destinationName: string;
  destinationType: string;
  warehouse: boolean;
  sent: number;
  sentByType: Record<string, number>;
  firstMessageId?: string;
  lastMessageId?: string;
  firstReceivedAt?: Date;
  lastReceivedAt?: Date;
  retainedFrom?: Date;
}

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
    // The range must be given, unlike a quarantine replay's: these events were delivered once
    // already, and only messageIds of the last 24 hours are refused as duplicates.
    const violations = [];
    if (!req.from) violations.push({ field: 'from', message: 'is required' });
    if (!req.to) violations.push({ field: 'to', message: 'is required' });
    if (req.from && req.to && req.from >= req.to) violations.push({ field: 'to', message: 'must be after from' });
    if (req.to && req.to > new Date(ctx.now.getTime() + 60_000)) {
      violations.push({ field: 'to', message: 'is in the future' });
    }
    violations.push(...rateViolations(req.ratePerSecond));
    if (violations.length > 0) throw ControlPlaneError.invalid(violations);
    if (!destination.sourceIds.includes(source._id)) {
      throw ControlPlaneError.failedPrecondition(
        `${destination.name} is not connected to ${source.name}: connect it first (replayed events go to connected destinations only)`,
      );
    }
    const range = { from: req.from as Date, to: req.to as Date, ratePerSecond: req.ratePerSecond };
    const run: ReplayDoc = {
      ...newRangeRun('rp', workspace._id, source, range, ctx),
      destinationId: destination._id,
      destinationName: destination.name,
      destinationType: destination.catalogId,
      warehouse: destination.warehouse,
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
      ...presentRangeRun(run),
      destinationId: run.destinationId,
      destinationName: run.destinationName,
      warehouse: run.warehouse,
      sent: run.sent,
      sentByType: Object.entries(run.sentByType).map(([eventType, count]) => ({ eventType, count })),
      firstMessageId: run.firstMessageId ?? '',
      lastMessageId: run.lastMessageId ?? '',
      firstReceivedAt: run.firstReceivedAt,
      lastReceivedAt: run.lastReceivedAt,
      outcomes: await this.deps.outcomes.of(run._id),
      retainedFrom: run.retainedFrom,
    };
  }

  /** The worker's part: read the range, publish this source's events at the rate, count, until done or cancelled. */
  private async process(run: ReplayDoc, lease: RunLease<ReplayDoc>): Promise<void> {
    const { names, kafka, logger, now } = this.deps;
    const topic = run.warehouse ? names.warehouseReplay : names.redeliver(run.destinationType);
    const reading = { kafka, topic: this.deps.eventsTopic, records: this.records, now };
    const status = await readRange(run, lease, reading, (messages, { pacer, watch, ranges }) =>
      this.take(run, topic, messages, pacer, ranges, () => watch.interrupted()),
    );
    if (status) logger.info({ runId: run._id, status, sent: run.sent }, 'replay finished');
  }

  /**
   * One batch of one partition: the source's events published chunk by chunk at the rate, and
   * after each chunk how far the replay got (a replay taken over resumes there). A chunk counts
   * events sent where a quarantine replay's counts messages read: the events topic holds every
   * source's events, most of them not this replay's to send.
   */
  private async take(
    run: ReplayDoc,
    topic: string,
    messages: readonly ConsumedMessage[],
    pacer: Pacer,
    ranges: readonly PartitionRange[],
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

  /** Forgets replays that finished before `before`, and what their deliveries came to. */
  async sweep(before: Date): Promise<number> {
    const old = await this.runs.find({ finishedAt: { $lt: before } }, { projection: { _id: 1 } }).toArray();
    if (old.length === 0) return 0;
    await this.deps.outcomes.forget(old.map((r) => r._id));
    return (await this.runs.deleteMany({ _id: { $in: old.map((r) => r._id) } })).deletedCount;
  }
}
