import { decodeEventMessage, encodeEventMessage, EVENT_HEADERS } from '@manifold/events';
import type { ConsumedMessage, EventProducer, KafkaClient, OutgoingMessage } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import type {
  ListQuarantineReplaysRequest,
  ListQuarantineReplaysResponse,
  QuarantineReplay,
  StartQuarantineReplayRequest,
} from '@manifold/proto';
import { compilePlan, type CheckedEvent, type CompiledPlan } from '@manifold/tracking-plans';
import type { Collection, Db } from 'mongodb';
import type { CallContext } from '../../domain/context';
import { ControlPlaneError } from '../../domain/errors';
import { resolveSource } from '../../domain/sources';
import { currentPlanOf, heldPlanVersion } from '../../domain/tracking-plans';
import { resolveWorkspace } from '../../domain/workspaces';
import type { Store } from '../../store/store';
import { newRangeRun, presentRangeRun, rateViolations, type RangeRunDoc } from '../replays/range-run';
import { readRange } from '../replays/read-range';
import { inChunks, type Pacer, type RunWorker, type RunLease } from '../runs/run-worker';
import { RunRecords } from '../runs/run-records';

interface QuarantineReplayDoc extends RangeRunDoc {
  /** Empty: every event of the source. */
  eventName: string;
  /** The plan version the events are checked against: the source's when the replay was asked for ('' and 0: none). */
  planId: string;
  planVersion: number;
  matched: number;
  released: number;
  stillBlocked: number;
}

/**
 * Quarantine replays: a source's events its tracking plan blocked, read again from the quarantine
 * topic (a time range of it, while Kafka holds it), checked against the plan the source is held
 * to now (compiled once per run, as ingestion compiles it), and those that pass published to the
 * events topic as ingestion would have: the same messageId, key and headers, with the new plan's
 * findings in the violations header when it allowed some. Consumers refuse a messageId they
 * delivered in the last 24 hours, so a replay run twice delivers each event once. Events still
 * blocked are left where they are (the topic is never rewritten) and counted.
 */
export class QuarantineReplays {
  readonly runs: Collection<QuarantineReplayDoc>;
  readonly worker: RunWorker<QuarantineReplayDoc>;
  private readonly records: RunRecords<QuarantineReplayDoc>;

  constructor(
    private readonly db: Db,
    private readonly deps: {
      store: Store;
      kafka: KafkaClient;
      producer: Pick<EventProducer, 'send'>;
      quarantineTopic: string;
      eventsTopic: string;
      logger: Logger;
      now: () => Date;
    },
  ) {
    this.runs = db.collection('quarantine_replays');
    this.records = new RunRecords(this.runs, {
      store: deps.store,
      noun: 'quarantine replay',
      process: (run, lease) => this.process(run, lease),
      logger: deps.logger,
      now: deps.now,
    });
    this.worker = this.records.worker;
  }

  ensureIndexes(): Promise<void> {
    return this.records.ensureIndexes();
  }

  async start(req: StartQuarantineReplayRequest, ctx: CallContext): Promise<QuarantineReplay> {
    const workspace = await resolveWorkspace(this.deps.store, req.workspace);
    const source = await resolveSource(this.deps.store, workspace, req.source);
    // Unlike a replay's, the range defaults to all that is quarantined (from the oldest Kafka
    // keeps, until now): these events were never delivered, and a second run delivers none twice.
    const from = req.from ?? new Date(0);
    const to = req.to ?? ctx.now;
    const violations = [];
    if (from >= to) violations.push({ field: 'to', message: 'must be after from' });
    violations.push(...rateViolations(req.ratePerSecond));
    if (violations.length > 0) throw ControlPlaneError.invalid(violations);
    const plan = await currentPlanOf(this.db, source._id);
    const run: QuarantineReplayDoc = {
      ...newRangeRun('qr', workspace._id, source, { from, to, ratePerSecond: req.ratePerSecond }, ctx),
      eventName: req.eventName,
      planId: plan?.id ?? '',
      planVersion: plan?.version ?? 0,
      matched: 0,
      released: 0,
      stillBlocked: 0,
    };
    await this.runs.insertOne(run);
    this.deps.logger.info({ runId: run._id, sourceId: source._id, actor: ctx.actor }, 'quarantine replay requested');
    this.worker.poke();
    return present(run);
  }

  async get(workspaceKey: string, id: string): Promise<QuarantineReplay> {
    return present(await this.records.one(workspaceKey, id));
  }

  async list(req: ListQuarantineReplaysRequest): Promise<ListQuarantineReplaysResponse> {
    return { replays: (await this.records.latest(req.workspace, req.limit)).map(present) };
  }

  async cancel(workspaceKey: string, id: string, ctx: CallContext): Promise<QuarantineReplay> {
    return present(await this.records.requestStop(workspaceKey, id, ctx.actor));
  }

  /** Forgets quarantine replays that finished before `before` (unlike replays, they have no outcomes to forget). */
  async sweep(before: Date): Promise<number> {
    return (await this.runs.deleteMany({ finishedAt: { $lt: before } })).deletedCount;
  }

  /**
   * The worker's part: the run's plan version (first: a run whose plan is missing fails before it
   * reads), then the range of the quarantine topic, every batch held to that plan version.
   */
  private async process(run: QuarantineReplayDoc, lease: RunLease<QuarantineReplayDoc>): Promise<void> {
    const { kafka, logger, now } = this.deps;
    const plan = await this.planOf(run);
    const reading = { kafka, topic: this.deps.quarantineTopic, records: this.records, now };
    const status = await readRange(run, lease, reading, async (messages, { pacer, watch }) => {
      for (const chunk of inChunks(messages, pacer.chunk)) {
        if (await watch.interrupted()) break;
        await this.release(run, plan, chunk, pacer);
      }
    });
    if (!status) return;
    logger.info(
      { runId: run._id, status, released: run.released, stillBlocked: run.stillBlocked },
      'quarantine replay finished',
    );
  }

  /** The plan version the run keeps to, compiled (a run taken over by another replica keeps to the same). */
  private async planOf(run: QuarantineReplayDoc): Promise<CompiledPlan | undefined> {
    if (!run.planId) return undefined;
    const plan = await heldPlanVersion(this.db, run.planId, run.planVersion);
    if (!plan) throw new Error(`tracking plan ${run.planId} version ${run.planVersion} is missing`);
    return compilePlan(plan);
  }

  /**
   * One chunk of one partition: the run's events checked again, those that pass published at the
   * rate, then the counts and how far the run got (a run taken over resumes there).
   */
  private async release(
    run: QuarantineReplayDoc,
    plan: CompiledPlan | undefined,
    messages: readonly ConsumedMessage[],
    pacer: Pacer,
  ): Promise<void> {
    const out: OutgoingMessage[] = [];
    let matched = 0;
    for (const message of messages) {
      const event = this.ofRun(run, message);
      if (!event) continue;
      matched += 1;
      const passed = recheck(event, plan, message);
      if (passed) out.push(passed);
    }
    if (out.length > 0) {
      await pacer.take(out.length);
      await this.deps.producer.send(this.deps.eventsTopic, out, { timeoutMs: 10_000 });
    }
    const last = messages[messages.length - 1] as ConsumedMessage;
    const next = (BigInt(last.offset) + 1n).toString();
    const inc = { scanned: messages.length, matched, released: out.length, stillBlocked: matched - out.length };
    run.positions[`p${last.partition}`] = next;
    for (const [key, count] of Object.entries(inc)) run[key as keyof typeof inc] += count;
    await this.records.writes.run(run._id, () =>
      this.runs.updateOne({ _id: run._id }, { $set: { [`positions.p${last.partition}`]: next }, $inc: inc }),
    );
  }

  /** The event of a quarantined message when it is the run's source's and (given one) of its event name. */
  private ofRun(run: QuarantineReplayDoc, message: ConsumedMessage): ReturnType<typeof decodeEventMessage> | undefined {
    if (message.headers[EVENT_HEADERS.sourceId] !== run.sourceId) return undefined;
    let decoded;
    try {
      decoded = decodeEventMessage(message);
    } catch {
      return undefined;
    }
    if (run.eventName && !(decoded.event.type === 'track' && decoded.event.event === run.eventName)) return undefined;
    return decoded;
  }
}

/**
 * A quarantined event held to the plan now, as ingestion holds an event (properties dropped per
 * policy, the findings in the violations header); undefined when the plan still blocks it. The
 * trace context it came with is kept.
 */
function recheck(
  { event, metadata }: ReturnType<typeof decodeEventMessage>,
  plan: CompiledPlan | undefined,
  message: ConsumedMessage,
): OutgoingMessage | undefined {
  const headers: Record<string, string> = {};
  const traceparent = message.headers['traceparent'];
  if (traceparent) headers['traceparent'] = traceparent;
  if (!plan) return encodeEventMessage(event, metadata, headers);
  const verdict = plan.check(event as CheckedEvent);
  if (verdict.blocked) return undefined;
  if (verdict.violations.length > 0) {
    headers[EVENT_HEADERS.planViolations] = JSON.stringify({ planId: plan.planId, version: plan.version, ...verdict });
  }
  return encodeEventMessage(event, metadata, headers);
}

function present(run: QuarantineReplayDoc): QuarantineReplay {
  return {
    ...presentRangeRun(run),
    eventName: run.eventName,
    planId: run.planId,
    planVersion: run.planVersion,
    matched: run.matched,
    released: run.released,
    stillBlocked: run.stillBlocked,
  };
}
