import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { isDuplicateKeyError } from '@manifold/mongo';
import type { ChangeKind } from '@manifold/warehouse';
import { outcomesReported, type ReverseEtlConnection, type ReverseEtlModel, type ReverseEtlRun } from './records';
import type { RunDeliveryTally } from './run-deliveries';
import { RunDeliveryRecords, type RefusedRowChange } from './run-delivery-records';

type Doc<T extends { id: string }> = Omit<T, 'id'> & { _id: string };
/** A run as stored: its deliveries are counted apart (RunDeliveryRecords). */
type RunDoc = Omit<Doc<ReverseEtlRun>, 'deliveries' | 'failedRows'>;
/** A connection's field mapping is kept as JSON text: its keys may hold "." or "$", which FerretDB refuses in stored keys. */
type ConnectionDoc = Omit<Doc<ReverseEtlConnection>, 'fields'> & { fieldsJson: string };

interface LeaseDoc {
  _id: string;
  holder: string;
  expiresAt: number;
}

const fromDoc = <T extends { id: string }>({ _id, ...rest }: Doc<T>): T => ({ id: _id, ...rest }) as unknown as T;
const toDoc = <T extends { id: string }>({ id, ...rest }: T): Doc<T> => ({ _id: id, ...rest }) as unknown as Doc<T>;

/**
 * Models, connections, runs and runner leases in MongoDB (plain CRUD and unique `_id`s, which
 * FerretDB and MongoDB both have). The control plane writes models and connections; runners read
 * them and write runs and leases.
 */
export class ReverseEtlStore {
  private readonly models: Collection<Doc<ReverseEtlModel>>;
  private readonly connections: Collection<ConnectionDoc>;
  private readonly runs: Collection<RunDoc>;
  private readonly leases: Collection<LeaseDoc>;
  private readonly deliveries: RunDeliveryRecords;

  constructor(db: Db) {
    this.deliveries = new RunDeliveryRecords(db);
    this.models = db.collection('reverse_etl_models');
    this.connections = db.collection('reverse_etl_connections');
    this.runs = db.collection('reverse_etl_runs');
    this.leases = db.collection('reverse_etl_leases');
  }

  async ensureIndexes(): Promise<void> {
    await this.runs.createIndex({ modelId: 1, startedAt: -1 });
    await this.runs.createIndex({ status: 1 });
    await this.deliveries.ensureIndexes();
    await this.connections.createIndex({ modelId: 1 });
  }

  newId(): string {
    return randomUUID();
  }

  async saveModel(model: ReverseEtlModel): Promise<void> {
    await this.models.replaceOne({ _id: model.id }, toDoc(model), { upsert: true });
  }

  async model(id: string): Promise<ReverseEtlModel | undefined> {
    const doc = await this.models.findOne({ _id: id });
    return doc ? fromDoc<ReverseEtlModel>(doc) : undefined;
  }

  async listModels(filter: { workspaceId?: string; enabled?: boolean } = {}): Promise<ReverseEtlModel[]> {
    const query: Record<string, unknown> = {};
    if (filter.workspaceId !== undefined) query.workspaceId = filter.workspaceId;
    if (filter.enabled !== undefined) query.enabled = filter.enabled;
    return (await this.models.find(query).sort({ _id: 1 }).toArray()).map((d) => fromDoc<ReverseEtlModel>(d));
  }

  /** "Run now": the model's next runner check starts a run. */
  async requestRun(modelId: string, at: string): Promise<boolean> {
    return (await this.models.updateOne({ _id: modelId }, { $set: { runRequestedAt: at } })).matchedCount === 1;
  }

  /** "Reset": the model's next run starts from no previous result. */
  async requestReset(modelId: string, at: string): Promise<boolean> {
    return (
      (await this.models.updateOne({ _id: modelId }, { $set: { resetRequestedAt: at, runRequestedAt: at } }))
        .matchedCount === 1
    );
  }

  /**
   * Deleting the model begins (`at`), or (undefined) is given up (the warehouse could not drop
   * its tables): while set, runners start no run of it and stop the one in progress.
   */
  async requestDelete(modelId: string, at: string | undefined): Promise<void> {
    await this.models.updateOne(
      { _id: modelId },
      at === undefined ? { $unset: { deleteRequestedAt: '' } } : { $set: { deleteRequestedAt: at } },
    );
  }

  /**
   * Ends a run still `running` as `canceled` (between pages: what it published stays published);
   * false when it was no longer running.
   */
  async cancelRun(run: Pick<ReverseEtlRun, 'id' | 'startedAt'>, now = new Date()): Promise<boolean> {
    const finishedAt = now.toISOString();
    const set: Partial<RunDoc> = {
      status: 'canceled',
      phase: 'done',
      finishedAt,
      durationMs: now.getTime() - Date.parse(run.startedAt),
    };
    return (await this.runs.updateOne({ _id: run.id, status: 'running' }, { $set: set })).matchedCount === 1;
  }

  async saveConnection(connection: ReverseEtlConnection): Promise<void> {
    const { id, fields, ...rest } = connection;
    const doc: ConnectionDoc = { _id: id, ...rest, fieldsJson: JSON.stringify(fields) };
    await this.connections.replaceOne({ _id: id }, doc, { upsert: true });
  }

  async deleteConnection(id: string): Promise<void> {
    await this.connections.deleteOne({ _id: id });
  }

  /** The model with its connections and runs (its lease expires by itself). */
  async deleteModel(id: string): Promise<void> {
    await this.connections.deleteMany({ modelId: id });
    await this.deliveries.forget(
      (await this.runs.find({ modelId: id }).project({ _id: 1 }).toArray()).map((d) => d._id),
    );
    await this.runs.deleteMany({ modelId: id });
    await this.models.deleteOne({ _id: id });
  }

  async connectionsOf(modelId: string): Promise<ReverseEtlConnection[]> {
    return (await this.connections.find({ modelId }).sort({ _id: 1 }).toArray()).map(
      ({ _id, fieldsJson, ...rest }) => ({
        id: _id,
        ...rest,
        fields: JSON.parse(fieldsJson) as Record<string, unknown>,
      }),
    );
  }

  async insertRun(run: ReverseEtlRun): Promise<void> {
    const { deliveries: _deliveries, failedRows: _failedRows, ...doc } = toDoc(run);
    await this.runs.insertOne(doc);
  }

  /** Runs as stored, with what their deliveries came to so far. */
  private async withDeliveries(docs: readonly RunDoc[]): Promise<ReverseEtlRun[]> {
    const totals = await this.deliveries.totals(docs.map((d) => d._id));
    return docs.map((doc) => ({ ...fromDoc<ReverseEtlRun>(doc), ...totals.get(doc._id) }));
  }

  async run(id: string): Promise<ReverseEtlRun | undefined> {
    const doc = await this.runs.findOne({ _id: id });
    return doc ? (await this.withDeliveries([doc]))[0] : undefined;
  }

  /** The model's runs, latest first. */
  async runsOf(modelId: string, limit = 50): Promise<ReverseEtlRun[]> {
    return this.withDeliveries(await this.runs.find({ modelId }).sort({ startedAt: -1 }).limit(limit).toArray());
  }

  /**
   * Whether a run of the model ever made its result the snapshot (it got to delivering): a model
   * that "starts from now" does so on its first such run only, not after a reset.
   */
  async hasCompletedRun(modelId: string): Promise<boolean> {
    return (await this.runs.findOne({ modelId, status: { $in: ['delivering', 'succeeded'] } })) !== null;
  }

  /** The model's run that did not finish (a runner stopped during it), if any. */
  async unfinishedRun(modelId: string): Promise<ReverseEtlRun | undefined> {
    const doc = await this.runs.findOne({ modelId, status: 'running' }, { sort: { startedAt: -1 } });
    return doc ? (await this.withDeliveries([doc]))[0] : undefined;
  }

  async updateRun(id: string, set: Partial<Omit<ReverseEtlRun, 'id' | 'deliveries' | 'failedRows'>>): Promise<void> {
    await this.runs.updateOne({ _id: id }, { $set: set });
  }

  /**
   * Records a page as published: its last key and what it held, in one update that only applies
   * while the run's last key is still `previousKey` (so a page is never counted twice).
   */
  async recordPage(
    id: string,
    previousKey: string | undefined,
    lastKey: string,
    published: Partial<Record<ChangeKind, number>>,
    skipped: Partial<Record<ChangeKind, number>>,
  ): Promise<void> {
    const inc: Record<string, number> = {};
    for (const [kind, n] of Object.entries(published)) if (n) inc[`published.${kind}`] = n;
    for (const [kind, n] of Object.entries(skipped)) if (n) inc[`skipped.${kind}`] = n;
    await this.runs.updateOne(
      { _id: id, lastKey: previousKey === undefined ? { $exists: false } : previousKey },
      { $set: { lastKey }, ...(Object.keys(inc).length > 0 ? { $inc: inc } : {}) },
    );
  }

  /** Counts what one reports-topic message says about a run's deliveries, once (see RunDeliveryRecords). */
  async recordDeliveries(
    runId: string,
    tally: RunDeliveryTally,
    position: { partition: number; offset: string },
  ): Promise<void> {
    await this.deliveries.record(runId, tally, position);
  }

  /** Counts row changes the runner could not publish as dead-lettered, once each (see RunDeliveryRecords). */
  async recordRefusedRows(runId: string, rows: readonly RefusedRowChange[]): Promise<void> {
    await this.deliveries.recordRefused(runId, rows);
  }

  /** The outcomes recordRefusedRows counted for a run: a run expects them beside its published changes'. */
  async refusedOutcomes(runId: string): Promise<number> {
    return this.deliveries.refusedOutcomes(runId);
  }

  /**
   * Ends a delivering run whose every expected delivery has an outcome (succeeded); true when
   * this call ended it. Called after its deliveries are counted, and when it starts delivering.
   */
  async completeIfDelivered(runId: string, now = new Date()): Promise<boolean> {
    const run = await this.run(runId);
    if (run?.status !== 'delivering' || outcomesReported(run) < (run.expectedDeliveries ?? 0)) return false;
    return this.endDelivering(run, now, {});
  }

  /** Runs waiting for their deliveries' outcomes. */
  async deliveringRuns(): Promise<ReverseEtlRun[]> {
    return this.withDeliveries(await this.runs.find({ status: 'delivering' }).toArray());
  }

  /**
   * Stops waiting for a delivering run's outcomes (its delivery timeout passed): it succeeds with
   * the deliveries still without an outcome counted as missing. True when this call ended it.
   */
  async stopWaiting(runId: string, now = new Date()): Promise<boolean> {
    const run = await this.run(runId);
    if (run?.status !== 'delivering') return false;
    const missing = Math.max(0, (run.expectedDeliveries ?? 0) - outcomesReported(run));
    return this.endDelivering(run, now, { missingDeliveries: missing });
  }

  private async endDelivering(run: ReverseEtlRun, now: Date, set: Partial<ReverseEtlRun>): Promise<boolean> {
    const finishedAt = now.toISOString();
    const ended = await this.runs.updateOne(
      { _id: run.id, status: 'delivering' },
      {
        $set: {
          ...set,
          status: 'succeeded',
          phase: 'done',
          finishedAt,
          durationMs: Date.parse(finishedAt) - Date.parse(run.startedAt),
        },
      },
    );
    return ended.modifiedCount === 1;
  }

  /**
   * Takes or renews the model's lease for `ttlMs`: true when `holder` has it. One runner per model
   * across replicas: a lease held by another runner and not expired is left alone.
   */
  async acquireLease(modelId: string, holder: string, ttlMs: number, now = Date.now()): Promise<boolean> {
    const expiresAt = now + ttlMs;
    const taken = await this.leases.updateOne(
      { _id: modelId, $or: [{ holder }, { expiresAt: { $lt: now } }] },
      { $set: { holder, expiresAt } },
    );
    if (taken.matchedCount === 1) return true;
    try {
      await this.leases.insertOne({ _id: modelId, holder, expiresAt });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /** Whether a runner holds the model's lease now (it is running the model, or just was). */
  async leaseHeld(modelId: string, now = Date.now()): Promise<boolean> {
    return (await this.leases.findOne({ _id: modelId, expiresAt: { $gte: now } })) !== null;
  }

  async releaseLease(modelId: string, holder: string): Promise<void> {
    await this.leases.deleteOne({ _id: modelId, holder });
  }
}
