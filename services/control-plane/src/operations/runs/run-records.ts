import type { Collection, Filter, UpdateFilter } from 'mongodb';
import { ControlPlaneError } from '../../domain/errors';
import type { RunDoc, RunLease } from './run-worker';
import { SerialWrites } from './serial-writes';

/**
 * The documents of one kind of run (replays, quarantine replays): reading them for the API,
 * asking one to stop, and every write of a run's document one at a time (SerialWrites).
 */
export class RunRecords<D extends RunDoc> {
  readonly writes = new SerialWrites();

  constructor(
    readonly runs: Collection<D>,
    /** What the API calls one ("replay"), for its not-found error. */
    private readonly noun: string,
  ) {}

  async ensureIndexes(): Promise<void> {
    await this.runs.createIndex({ workspaceId: 1, requestedAt: -1 }, { name: 'by_workspace_time' });
  }

  async one(workspaceId: string, id: string): Promise<D> {
    const run = await this.runs.findOne({ _id: id, workspaceId } as Filter<D>);
    if (!run) throw ControlPlaneError.notFound(this.noun, id);
    return run as D;
  }

  /** Newest first; a limit of 0 means 20, at most 100. */
  async latest(workspaceId: string, limit: number): Promise<D[]> {
    const runs = await this.runs
      .find({ workspaceId } as Filter<D>)
      .sort({ requestedAt: -1 })
      .limit(Math.min(Math.max(limit || 20, 1), 100))
      .toArray();
    return runs as D[];
  }

  /** A running run is marked `stopping`; its worker ends it after the chunk in hand. */
  async requestStop(workspaceId: string, id: string, actor: string): Promise<void> {
    await this.writes.run(id, () =>
      this.runs.updateOne(
        { _id: id, workspaceId, status: 'running' } as Filter<D>,
        {
          $set: { status: 'stopping', stoppedBy: actor },
        } as UpdateFilter<D>,
      ),
    );
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
