import { randomAlphanumeric } from '../../domain/ids';
import { encodeRedelivery, type KafkaNames, type SpecEvent } from '@manifold/events';
import type { EventProducer } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import type {
  GetDeadLetterRequest,
  ListDeadLettersRequest,
  ListDeadLettersResponse,
  ListRedrivesRequest,
  ListRedrivesResponse,
  Redrive,
  StartRedriveRequest,
} from '@manifold/proto';
import type { Collection, Db } from 'mongodb';
import type { CallContext } from '../../domain/context';
import { resolveDestination } from '../../domain/destinations';
import { ControlPlaneError } from '../../domain/errors';
import { resolveWorkspace } from '../../domain/workspaces';
import type { Store } from '../../store/store';
import type { RunOutcomes } from '../runs/run-outcomes';
import { inChunks, Pacer, RunWorker, type RunDoc, type RunLease } from '../runs/run-worker';
import { toDeadLetter, type DeadLetterDoc, type DeadLetterQuery, type DeadLetterStore } from './dead-letter-store';

interface RedriveDoc extends RunDoc {
  destinationId: string;
  destinationName: string;
  destinationType: string;
  ids: string[];
  all: boolean;
  reason: string;
  failedFrom?: Date;
  failedTo?: Date;
  ratePerSecond: number;
  /** Of `ids`, how many were looked at so far. */
  position: number;
  matched: number;
  sent: number;
  skipped: number;
}

const PAGE = 100;
const DEFAULT_RATE = 100;
const MAX_IDS = 10_000;
/** The most dead letters one page answers. */
export const MAX_PAGE_SIZE = 500;
/** The most redrives one list answers. */
export const MAX_REDRIVES_LISTED = 100;

/**
 * Browsing dead letters and redriving them: each dead letter a redrive takes is marked with the
 * redrive (no other takes it), then published to its type's redelivery topic with its event as it
 * failed and the origin of the attempt that holds its messageId claim, so the translator delivers
 * it through the normal path and the messageId's dedup holds. A redrive only takes dead letters
 * that failed before it was asked for, so events it sends that fail again are not sent again.
 */
export class Redrives {
  readonly runs: Collection<RedriveDoc>;
  readonly worker: RunWorker<RedriveDoc>;

  constructor(
    db: Db,
    private readonly deps: {
      store: Store;
      deadLetters: DeadLetterStore;
      outcomes: RunOutcomes;
      producer: Pick<EventProducer, 'send'>;
      names: KafkaNames;
      logger: Logger;
      now: () => Date;
    },
  ) {
    this.runs = db.collection('redrives');
    this.worker = new RunWorker(this.runs, {
      process: (run, lease) => this.process(run, lease),
      logger: deps.logger.child({ component: 'redrives' }),
      now: deps.now,
    });
  }

  async ensureIndexes(): Promise<void> {
    await this.runs.createIndex({ workspaceId: 1, requestedAt: -1 }, { name: 'by_workspace_time' });
  }

  async listDeadLetters(req: ListDeadLettersRequest): Promise<ListDeadLettersResponse> {
    const { destination } = await this.resolve(req.workspace, req.destination);
    const pageSize = Math.min(Math.max(req.pageSize || 50, 1), MAX_PAGE_SIZE);
    const skip = req.pageToken ? Number.parseInt(req.pageToken, 10) : 0;
    if (!Number.isInteger(skip) || skip < 0) {
      throw ControlPlaneError.invalid([{ field: 'page_token', message: 'is not a token this list gave' }]);
    }
    const query: DeadLetterQuery = {
      destinationId: destination._id,
      ...(req.reason ? { reason: req.reason } : {}),
      ...(req.failedFrom ? { failedFrom: req.failedFrom } : {}),
      ...(req.failedTo ? { failedTo: req.failedTo } : {}),
      includeRedriven: req.includeRedriven,
    };
    const [{ docs, total }, waiting] = await Promise.all([
      this.deps.deadLetters.list(query, skip, pageSize),
      this.deps.deadLetters.waitingByReason(destination._id),
    ]);
    return {
      deadLetters: docs.map(toDeadLetter),
      nextPageToken: skip + docs.length < total ? String(skip + docs.length) : '',
      totalCount: total,
      waitingByReason: waiting,
    };
  }

  async getDeadLetter(req: GetDeadLetterRequest) {
    const { destination } = await this.resolve(req.workspace, req.destination);
    const doc = await this.deps.deadLetters.get(destination._id, req.id);
    if (!doc) throw ControlPlaneError.notFound('dead letter', req.id);
    return toDeadLetter(doc);
  }

  async start(req: StartRedriveRequest, ctx: CallContext): Promise<Redrive> {
    const { workspace, destination } = await this.resolve(req.workspace, req.destination);
    if (destination.warehouse) {
      throw ControlPlaneError.failedPrecondition('warehouses have no dead letters: a failed load is retried');
    }
    if (req.all === req.ids.length > 0) {
      throw ControlPlaneError.invalid([
        { field: 'ids', message: 'give either the dead letters (ids) or all, not both' },
      ]);
    }
    if (req.ids.length > MAX_IDS) {
      throw ControlPlaneError.invalid([
        { field: 'ids', message: `at most ${MAX_IDS}; redrive more with all and a filter` },
      ]);
    }
    if (req.ratePerSecond < 0) {
      throw ControlPlaneError.invalid([{ field: 'rate_per_second', message: 'must be 0 (the default) or more' }]);
    }
    const run: RedriveDoc = {
      _id: `rd_${randomAlphanumeric(20)}`,
      workspaceId: workspace._id,
      status: 'running',
      requestedBy: ctx.actor,
      requestedAt: ctx.now,
      destinationId: destination._id,
      destinationName: destination.name,
      destinationType: destination.catalogId,
      ids: [...new Set(req.ids)],
      all: req.all,
      reason: req.reason,
      ...(req.failedFrom ? { failedFrom: req.failedFrom } : {}),
      ...(req.failedTo ? { failedTo: req.failedTo } : {}),
      ratePerSecond: req.ratePerSecond || DEFAULT_RATE,
      position: 0,
      matched: 0,
      sent: 0,
      skipped: 0,
    };
    await this.runs.insertOne(run);
    this.deps.logger.info(
      { runId: run._id, destinationId: destination._id, actor: ctx.actor, all: run.all, ids: run.ids.length },
      'redrive requested',
    );
    this.worker.poke();
    return this.present(run);
  }

  async get(workspaceKey: string, id: string): Promise<Redrive> {
    const workspace = await resolveWorkspace(this.deps.store, workspaceKey);
    const run = await this.runs.findOne({ _id: id, workspaceId: workspace._id });
    if (!run) throw ControlPlaneError.notFound('redrive', id);
    return this.present(run);
  }

  async list(req: ListRedrivesRequest): Promise<ListRedrivesResponse> {
    const workspace = await resolveWorkspace(this.deps.store, req.workspace);
    const destinationId = req.destination
      ? (await resolveDestination(this.deps.store, workspace, req.destination))._id
      : undefined;
    const runs = await this.runs
      .find({ workspaceId: workspace._id, ...(destinationId ? { destinationId } : {}) })
      .sort({ requestedAt: -1 })
      .limit(Math.min(Math.max(req.limit || 20, 1), MAX_REDRIVES_LISTED))
      .toArray();
    return { redrives: await Promise.all(runs.map((r) => this.present(r))) };
  }

  async stop(workspaceKey: string, id: string, ctx: CallContext): Promise<Redrive> {
    const workspace = await resolveWorkspace(this.deps.store, workspaceKey);
    await this.runs.updateOne(
      { _id: id, workspaceId: workspace._id, status: 'running' },
      { $set: { status: 'stopping', stoppedBy: ctx.actor } },
    );
    this.deps.logger.info({ runId: id, actor: ctx.actor }, 'redrive stop requested');
    return this.get(workspaceKey, id);
  }

  private async resolve(workspaceKey: string, destinationKey: string) {
    const workspace = await resolveWorkspace(this.deps.store, workspaceKey);
    const destination = await resolveDestination(this.deps.store, workspace, destinationKey);
    return { workspace, destination };
  }

  private async present(run: RedriveDoc): Promise<Redrive> {
    return {
      id: run._id,
      workspaceId: run.workspaceId,
      destinationId: run.destinationId,
      destinationName: run.destinationName,
      status: run.status,
      requestedBy: run.requestedBy,
      requestedAt: run.requestedAt,
      finishedAt: run.finishedAt,
      stoppedBy: run.stoppedBy ?? '',
      ids: run.ids,
      all: run.all,
      reason: run.reason,
      failedFrom: run.failedFrom,
      failedTo: run.failedTo,
      ratePerSecond: run.ratePerSecond,
      matched: run.matched,
      sent: run.sent,
      skipped: run.skipped,
      outcomes: await this.deps.outcomes.of(run._id),
      error: run.error ?? '',
    };
  }

  /** The worker's part: take, publish and count page after page until done or stopped. */
  private async process(initial: RedriveDoc, lease: RunLease<RedriveDoc>): Promise<void> {
    const { deadLetters, logger } = this.deps;
    const pacer = new Pacer(initial.ratePerSecond);
    const topic = this.deps.names.redeliver(initial.destinationType);
    let lastCheck = Date.now();
    /** Renews the lease about once a second; true when the run must end here (stop asked, lease lost, shutdown). */
    const interrupted = async (): Promise<boolean> => {
      if (Date.now() - lastCheck < 1000) return false;
      lastCheck = Date.now();
      const run = await lease.renew();
      return !run || lease.closing || run.status === 'stopping';
    };
    // Whatever this run took before a restart and did not send goes first.
    for (;;) {
      const left = await deadLetters.takenNotSent(initial._id, PAGE);
      if (left.length === 0 || !(await this.publish(initial, topic, left, pacer, interrupted))) break;
    }
    const query: DeadLetterQuery = {
      destinationId: initial.destinationId,
      ...(initial.reason ? { reason: initial.reason } : {}),
      ...(initial.failedFrom ? { failedFrom: initial.failedFrom } : {}),
      // Never what failed after the redrive was asked for: its own events failing again.
      failedTo: initial.failedTo && initial.failedTo < initial.requestedAt ? initial.failedTo : initial.requestedAt,
    };
    for (;;) {
      const run = await lease.renew();
      if (!run || lease.closing) return;
      if (run.status === 'stopping') {
        // What it took and did not send waits for another redrive.
        const released = await deadLetters.release(run._id);
        if (released > 0) await this.runs.updateOne({ _id: run._id }, { $inc: { matched: -released } });
        await this.finish(run, 'stopped');
        logger.info({ runId: run._id, sent: run.sent, stoppedBy: run.stoppedBy }, 'redrive stopped');
        return;
      }
      const ids = run.all
        ? await deadLetters.candidates(query, PAGE)
        : run.ids.slice(run.position, run.position + PAGE);
      if (ids.length === 0) {
        await this.finish(run, 'done');
        logger.info({ runId: run._id, sent: run.sent, skipped: run.skipped }, 'redrive done');
        return;
      }
      const taken = await deadLetters.take(run._id, run.destinationId, ids, this.deps.now());
      await this.runs.updateOne(
        { _id: run._id },
        { $inc: { matched: taken.length, skipped: ids.length - taken.length, position: run.all ? 0 : ids.length } },
      );
      await this.publish(run, topic, taken, pacer, interrupted);
    }
  }

  /** Sends `docs` at the run's rate; false when interrupted before all were sent (the rest stays taken, unsent). */
  private async publish(
    run: RedriveDoc,
    topic: string,
    docs: readonly DeadLetterDoc[],
    pacer: Pacer,
    interrupted: () => Promise<boolean>,
  ): Promise<boolean> {
    for (const chunk of inChunks(docs, pacer.chunk)) {
      if (await interrupted()) return false;
      await pacer.take(chunk.length);
      const messages = chunk.map((doc) =>
        encodeRedelivery({
          kind: 'redrive',
          event: JSON.parse(doc.eventJson) as SpecEvent,
          metadata: { sourceId: doc.sourceId, workspaceId: doc.workspaceId },
          destinationId: doc.destinationId,
          origin: doc.origin,
          runId: run._id,
          ...(doc.deliveredMappings?.length ? { deliveredMappings: doc.deliveredMappings } : {}),
        }),
      );
      await this.deps.producer.send(topic, messages, { timeoutMs: 10_000 });
      await this.deps.deadLetters.markSent(chunk.map((d) => d._id));
      await this.runs.updateOne({ _id: run._id }, { $inc: { sent: chunk.length } });
    }
    return true;
  }

  private async finish(run: RedriveDoc, status: 'done' | 'stopped'): Promise<void> {
    await this.runs.updateOne({ _id: run._id }, { $set: { status, finishedAt: this.deps.now() } });
  }

  /** Forgets redrives that finished before `before`. */
  async sweep(before: Date): Promise<number> {
    const old = await this.runs.find({ finishedAt: { $lt: before } }, { projection: { _id: 1 } }).toArray();
    if (old.length === 0) return 0;
    await this.deps.outcomes.forget(old.map((r) => r._id));
    return (await this.runs.deleteMany({ _id: { $in: old.map((r) => r._id) } })).deletedCount;
  }
}
