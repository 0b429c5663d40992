import type { Logger } from '@manifold/logger';
import type { Collection, Filter, UpdateFilter } from 'mongodb';
import { ControlPlaneError } from '../../domain/errors';
import { resolveWorkspace } from '../../domain/workspaces';
import type { Store } from '../../store/store';
import { RunWorker, type RunDoc, type RunLease } from './run-worker';
import { SerialWrites } from './serial-writes';

/** The most runs one list answers. */
export const MAX_RUNS_LISTED = 100;

/**
 * The documents of one kind of run (replays, quarantine replays) and their worker: reading them
 * for the API (by workspace id or slug), asking one to stop, and every write of a run's document
 * one at a time (SerialWrites).
 */

export class RunRecords<D extends RunDoc> {
  readonly writes = new SerialWrites();
  readonly worker: RunWorker<D>;

  constructor(
    readonly runs: Collection<D>,
    private readonly deps: {
      store: Store;
      /** What the API calls one ("replay"), for its not-found error and the logs. */
      noun: string;
      process(run: D, lease: RunLease<D>): Promise<void>;
      logger: Logger;
      now: () => Date;
    },
  ) {
    this.worker = new RunWorker(runs, {
      process: (run, lease) => deps.process(run, lease),
      logger: deps.logger.child({ component: `${deps.noun.replace(/ /g, '-')}s` }),
      now: deps.now,
    });
  }

  async ensureIndexes(): Promise<void> {
    await this.runs.createIndex({ workspaceId: 1, requestedAt: -1 }, { name: 'by_workspace_time' });
  }

  async one(workspaceKey: string, id: string): Promise<D> {
    const workspace = await resolveWorkspace(this.deps.store, workspaceKey);
    const run = await this.runs.findOne({ _id: id, workspaceId: workspace._id } as Filter<D>);
    if (!run) throw ControlPlaneError.notFound(this.deps.noun, id);
    return run as D;
  }

  /** Newest first; a limit of 0 means 20, at most MAX_RUNS_LISTED. */
  async latest(workspaceKey: string, limit: number): Promise<D[]> {
    const workspace = await resolveWorkspace(this.deps.store, workspaceKey);
    const runs = await this.runs
      .find({ workspaceId: workspace._id } as Filter<D>)
      .sort({ requestedAt: -1 })
      .limit(Math.min(Math.max(limit || 20, 1), MAX_RUNS_LISTED))
      .toArray();
    return runs as D[];
  }

  /** A running run is marked `stopping` (its worker ends it after the chunk in hand); the run as it is then. */
  async requestStop(workspaceKey: string, id: string, actor: string): Promise<D> {
    const workspace = await resolveWorkspace(this.deps.store, workspaceKey);
    const stop = { $set: { status: 'stopping', stoppedBy: actor } } as UpdateFilter<D>;
    await this.writes.run(id, () =>
      this.runs.updateOne({ _id: id, workspaceId: workspace._id, status: 'running' } as Filter<D>, stop),
    );
    this.deps.logger.info({ runId: id, actor }, `${this.deps.noun} cancel requested`);
    return this.one(workspaceKey, id);
  }

  /** The worker's watch over a run it works on. */
  watch(run: D, lease: RunLease<D>): RunWatch<D> {
    return new RunWatch(run, lease, this.writes);
  }
}

/** Renews a run's lease as the work goes, and says when the work must end. */
export class RunWatch<D extends RunDoc> {
  stopping: boolean;
  lost = false;
  private lastCheck = 0;

  constructor(
    private readonly run: D,
    private readonly lease: RunLease<D>,
    private readonly writes: SerialWrites,
  ) {
    this.stopping = run.status === 'stopping';
  }

  /** Cancelled, its lease lost, or the worker closing. */
  get over(): boolean {
    return this.stopping || this.lost || this.lease.closing;
  }

  /** Renews the lease about once a second (reading a cancel on the way); true when the run must end here. */
  async interrupted(): Promise<boolean> {
    if (Date.now() - this.lastCheck >= 1000) {
      this.lastCheck = Date.now();
      const current = await this.writes.run(this.run._id, () => this.lease.renew());
      if (!current) this.lost = true;
      else if (current.status === 'stopping') this.stopping = true;
    }
    return this.over;
  }
}
