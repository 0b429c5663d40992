import type {
  CreateConnectionRequest,
  CreateModelRequest,
  ListConnectionsRequest,
  ListConnectionsResponse,
  ListModelsRequest,
  ListModelsResponse,
  ListRunsRequest,
  ListRunsResponse,
  ModelSchedule as ScheduleMessage,
  ReverseEtlConnection as ConnectionMessage,
  ReverseEtlModel as ModelMessage,
  ReverseEtlRun as RunMessage,
  ResetModelRequest,
  RunModelNowRequest,
  UpdateModelRequest,
  GetModelRequest,
  UpdateConnectionRequest,
  DeleteConnectionRequest,
  DeleteConnectionResponse,
  DeleteModelRequest,
  DeleteModelResponse,
  PreviewModelRequest,
  PreviewModelResponse,
  SuggestConnectionFieldsRequest,
  SuggestConnectionFieldsResponse,
} from '@manifold/proto';
import {
  connectionMapping,
  connectionMappingId,
  InvalidReverseEtlInputError,
  MAX_FAILED_ROW_SAMPLES,
  parseConnectionInput,
  parseModelInput,
  ReverseEtlStore,
  runDeliveries,
  suggestedFields,
  type ModelSchedule,
  type RunDeliveryOutcome,
  type ReverseEtlConnection,
  type ReverseEtlModel,
  type ReverseEtlRun,
} from '@manifold/reverse-etl';
import { destinationById } from '@manifold/destinations';
import type { CallContext } from './context';
import { resolveDestination } from './destinations';
import { ControlPlaneError } from './errors';
import { newId } from './ids';
import type { DestinationMappings } from './mappings';
import type { ModelWarehouse } from './model-warehouse';
import { resolveWorkspace } from './workspaces';
import type { DestinationDoc, WorkspaceDoc } from '../store/documents';
import type { Store } from '../store/store';

/** How long deleting a model waits for its runner to cancel the run in progress. */
const DELETE_WAIT_MS = 30_000;
const DELETE_POLL_MS = 250;

/**
 * Reverse ETL models, their connections and runs (libs/reverse-etl): what the API writes is what
 * the warehouse loaders' runners read. A connection is also a mapping of its destination instance
 * (`retl-<connection id>`), and the model one of the instance's sources, so translators deliver
 * the model's row changes as they deliver any source's events.
 */
export class ReverseEtlModels {
  private readonly records: ReverseEtlStore;

  constructor(
    private readonly store: Store,
    private readonly mappings: DestinationMappings,
    private readonly onChange: () => Promise<void>,
    private readonly warehouse: ModelWarehouse,
  ) {
    this.records = new ReverseEtlStore(store.db);
  }

  ensureIndexes(): Promise<void> {
    return this.records.ensureIndexes();
  }

  async create(req: CreateModelRequest, ctx: CallContext): Promise<ModelMessage> {
    const workspace = await resolveWorkspace(this.store, req.workspace);
    const warehouse = await resolveDestination(this.store, workspace, req.warehouse);
    if (!warehouse.warehouse) {
      throw ControlPlaneError.invalid([{ field: 'warehouse', message: `${warehouse.name} is not a warehouse` }]);
    }
    const model = parsed(() =>
      parseModelInput(
        {
          workspaceId: workspace._id,
          name: req.name,
          warehouseId: warehouse._id,
          sql: req.sql,
          identifierColumn: req.identifierColumn,
          schedule: scheduleFromMessage(req.schedule),
          enabled: req.enabled,
          startFromNow: req.startFromNow,
        },
        newId('mdl'),
        ctx.now.toISOString(),
      ),
    );
    model.createdBy = ctx.actor;
    await this.records.saveModel(model);
    return modelMessage(model);
  }

  async get(req: GetModelRequest): Promise<ModelMessage> {
    return modelMessage(await this.model(req.workspace, req.model));
  }

  async list(req: ListModelsRequest): Promise<ListModelsResponse> {
    const workspace = await resolveWorkspace(this.store, req.workspace);
    return { models: (await this.records.listModels({ workspaceId: workspace._id })).map(modelMessage) };
  }

  async update(req: UpdateModelRequest, ctx: CallContext): Promise<ModelMessage> {
    const current = await this.model(req.workspace, req.model);
    const next = parsed(() =>
      parseModelInput(
        {
          workspaceId: current.workspaceId,
          name: req.name,
          warehouseId: current.warehouseId,
          sql: req.sql,
          identifierColumn: req.identifierColumn,
          schedule: scheduleFromMessage(req.schedule),
          enabled: req.enabled,
          startFromNow: req.startFromNow,
        },
        current.id,
        ctx.now.toISOString(),
      ),
    );
    const model: ReverseEtlModel = {
      ...next,
      createdAt: current.createdAt,
      ...(current.createdBy !== undefined ? { createdBy: current.createdBy } : {}),
      ...(current.runRequestedAt ? { runRequestedAt: current.runRequestedAt } : {}),
      ...(current.resetRequestedAt ? { resetRequestedAt: current.resetRequestedAt } : {}),
    };
    await this.records.saveModel(model);
    return modelMessage(model);
  }

  async runNow(req: RunModelNowRequest, ctx: CallContext): Promise<ModelMessage> {
    const model = await this.runnable(req);
    await this.records.requestRun(model.id, ctx.now.toISOString());
    return modelMessage({ ...model, runRequestedAt: ctx.now.toISOString() });
  }

  async reset(req: ResetModelRequest, ctx: CallContext): Promise<ModelMessage> {
    const model = await this.runnable(req);
    const at = ctx.now.toISOString();
    await this.records.requestReset(model.id, at);
    return modelMessage({ ...model, runRequestedAt: at, resetRequestedAt: at });
  }

  /** A model a runner will take up: enabled, with an enabled connection. */
  private async runnable(req: { workspace: string; model: string }): Promise<ReverseEtlModel> {
    const model = await this.model(req.workspace, req.model);
    if (!model.enabled) throw ControlPlaneError.failedPrecondition(`model ${model.name} is disabled`);
    // Runners take up only models with somewhere to send to: say so rather than wait in vain.
    if (!(await this.records.connectionsOf(model.id)).some((c) => c.enabled)) {
      throw ControlPlaneError.failedPrecondition(`model ${model.name} has no enabled connection to run for`);
    }
    return model;
  }

  async createConnection(req: CreateConnectionRequest, ctx: CallContext): Promise<ConnectionMessage> {
    const model = await this.model(req.workspace, req.model);
    const { doc: destination, rules } = await this.mappings.rulesOf(req.workspace, req.destination);
    const given = req.fields ?? {};
    // None mapped: the fields named as a column of the model start mapped from it.
    const fields =
      Object.keys(given).length > 0 ? given : (await this.suggestion(model, destination, req.action)).fields;
    const connection = parsed(() =>
      parseConnectionInput(
        {
          workspaceId: model.workspaceId,
          modelId: model.id,
          destinationId: destination._id,
          changeKinds: req.changeKinds,
          action: req.action,
          fields,
          enabled: req.enabled,
          ...(req.rowsPerSecond ? { rowsPerSecond: req.rowsPerSecond } : {}),
        },
        newId('con'),
        model,
        (raw) => rules.validate(raw),
      ),
    );
    await this.mappings.putMapping(req.workspace, destination._id, connectionMapping(connection, model.name), ctx);
    // The model becomes one of the instance's sources: translators route its events there.
    await this.store.destinations.updateOne({ _id: destination._id }, { $addToSet: { sourceIds: model.id } });
    await this.records.saveConnection(connection);
    await this.onChange();
    return connectionMessage(connection);
  }

  /**
   * What createConnection maps when given no fields, so that a form can show it before saving:
   * the same suggestion, from the columns the caller has (the form's preview of the model), or
   * else from the same one-row preview.
   */
  async suggestConnectionFields(req: SuggestConnectionFieldsRequest): Promise<SuggestConnectionFieldsResponse> {
    const model = await this.model(req.workspace, req.model);
    const workspace = await resolveWorkspace(this.store, req.workspace);
    const destination = await resolveDestination(this.store, workspace, req.destination);
    const action = destinationById(destination.catalogId)?.actions[req.action];
    if (!action) {
      throw ControlPlaneError.invalid([
        { field: 'action', message: `is not an action of ${destination.name} (${destination.catalogId})` },
      ]);
    }
    if (req.columns.length === 0) return this.suggestion(model, destination, req.action);
    return { fields: suggestedFields(Object.keys(action.fields.shape), req.columns), columns: req.columns };
  }

  /**
   * The suggested mapping of a new connection's action (`suggestedFields`), from the model's
   * columns as a one-row preview of its query gives them. A query with no rows, or failing now,
   * suggests nothing: the connection is checked as given, required fields named.
   */
  private async suggestion(
    model: ReverseEtlModel,
    destination: DestinationDoc,
    actionKey: string,
  ): Promise<{ fields: Record<string, unknown>; columns: string[] }> {
    const action = destinationById(destination.catalogId)?.actions[actionKey];
    const warehouse = await this.store.destinations.findOne({ _id: model.warehouseId });
    if (!action || !warehouse?.warehouse) return { fields: {}, columns: [] };
    const preview = await this.warehouse.preview(warehouse, model.sql, 1).catch(() => undefined);
    const columns = Object.keys(preview?.rows[0] ?? {});
    return { fields: suggestedFields(Object.keys(action.fields.shape), columns), columns };
  }

  async updateConnection(req: UpdateConnectionRequest, ctx: CallContext): Promise<ConnectionMessage> {
    const model = await this.model(req.workspace, req.model);
    const current = await this.connection(model, req.connection);
    const { rules } = await this.mappings.rulesOf(req.workspace, current.destinationId);
    const connection = parsed(() =>
      parseConnectionInput(
        {
          workspaceId: model.workspaceId,
          modelId: model.id,
          destinationId: current.destinationId,
          changeKinds: req.changeKinds,
          action: req.action,
          fields: req.fields ?? {},
          enabled: req.enabled,
          ...(req.rowsPerSecond ? { rowsPerSecond: req.rowsPerSecond } : {}),
        },
        current.id,
        model,
        (raw) => rules.validate(raw),
      ),
    );
    await this.mappings.putMapping(
      req.workspace,
      current.destinationId,
      connectionMapping(connection, model.name),
      ctx,
    );
    await this.records.saveConnection(connection);
    await this.onChange();
    return connectionMessage(connection);
  }

  async deleteConnection(req: DeleteConnectionRequest, ctx: CallContext): Promise<DeleteConnectionResponse> {
    const model = await this.model(req.workspace, req.model);
    await this.disconnect(model, await this.connection(model, req.connection), ctx);
    await this.onChange();
    return {};
  }

  async deleteModel(req: DeleteModelRequest, ctx: CallContext): Promise<DeleteModelResponse> {
    const model = await this.model(req.workspace, req.model);
    // A run in progress is stopped between pages and canceled first: its tables are about to go.
    const markedAt = ctx.now.toISOString();
    await this.records.requestDelete(model.id, markedAt);
    const canceled = await this.cancelRun(model, markedAt);
    // Its tables first: when the warehouse cannot drop them, nothing is deleted and the caller is
    // told why, rather than leaving tables no model names. A warehouse deleted since has none.
    const warehouse = await this.store.destinations.findOne({ _id: model.warehouseId });
    try {
      if (warehouse?.warehouse) await this.warehouse.dropTables(warehouse, model.id);
    } catch (error) {
      await this.records.requestDelete(model.id, undefined);
      throw error;
    }
    for (const connection of await this.records.connectionsOf(model.id)) await this.disconnect(model, connection, ctx);
    await this.records.deleteModel(model.id);
    await this.onChange();
    return { canceledRunId: canceled ?? '' };
  }

  /**
   * Ends the model's run in progress, if any, for its deletion; its id. The runner holding the
   * model stops it between pages and marks it canceled (it looks every second); with no runner
   * on it (no live lease), or one that did not within DELETE_WAIT_MS, it is marked canceled here.
   * A runner holding the lease without a run yet is waited for too: it took the lease before the
   * delete mark, and may be about to start a run whose tables would outlive the model (a runner
   * that takes the lease after the mark sees it and starts nothing).
   */
  private async cancelRun(model: ReverseEtlModel, markedAt: string): Promise<string | undefined> {
    const until = Date.now() + DELETE_WAIT_MS;
    // The runner releases the lease once its run is canceled (or finished publishing).
    while (Date.now() < until && (await this.records.leaseHeld(model.id))) {
      await new Promise((resolve) => setTimeout(resolve, DELETE_POLL_MS));
    }
    // Still running (no runner on it, or one too slow), or the latest run, which a runner may have canceled.
    const run = (await this.records.unfinishedRun(model.id)) ?? (await this.records.runsOf(model.id, 1))[0];
    if (!run) return undefined;
    await this.records.cancelRun(run);
    const now = await this.records.run(run.id);
    return now?.status === 'canceled' && (now.finishedAt ?? '') >= markedAt ? run.id : undefined;
  }

  async preview(req: PreviewModelRequest): Promise<PreviewModelResponse> {
    const workspace = await resolveWorkspace(this.store, req.workspace);
    const warehouse = await resolveDestination(this.store, workspace, req.warehouse);
    if (!warehouse.warehouse) {
      throw ControlPlaneError.invalid([{ field: 'warehouse', message: `${warehouse.name} is not a warehouse` }]);
    }
    const preview = await this.warehouse.preview(warehouse, req.sql, req.limit);
    return { rows: preview.rows, rowCount: preview.rowCount };
  }

  /**
   * Takes the connection's mapping off its destination instance, and the model off the instance's
   * sources when no other connection of the model goes there, then forgets the connection.
   */
  private async disconnect(model: ReverseEtlModel, connection: ReverseEtlConnection, ctx: CallContext): Promise<void> {
    const workspace = model.workspaceId;
    if (await this.store.destinations.findOne({ _id: connection.destinationId })) {
      await this.mappings.removeMapping(workspace, connection.destinationId, connectionMappingId(connection.id), ctx);
      const others = (await this.records.connectionsOf(model.id)).filter(
        (c) => c.id !== connection.id && c.destinationId === connection.destinationId,
      );
      if (others.length === 0) {
        await this.store.destinations.updateOne({ _id: connection.destinationId }, { $pull: { sourceIds: model.id } });
      }
    }
    await this.records.deleteConnection(connection.id);
  }

  private async connection(model: ReverseEtlModel, id: string): Promise<ReverseEtlConnection> {
    if (!id) throw ControlPlaneError.invalid([{ field: 'connection', message: 'is required' }]);
    const connection = (await this.records.connectionsOf(model.id)).find((c) => c.id === id);
    if (!connection) throw ControlPlaneError.notFound('connection', id);
    return connection;
  }

  async listConnections(req: ListConnectionsRequest): Promise<ListConnectionsResponse> {
    const model = await this.model(req.workspace, req.model);
    return { connections: (await this.records.connectionsOf(model.id)).map(connectionMessage) };
  }

  async listRuns(req: ListRunsRequest): Promise<ListRunsResponse> {
    const model = await this.model(req.workspace, req.model);
    const runs = await this.records.runsOf(model.id, req.limit > 0 ? Math.min(req.limit, 500) : 50);
    const names = await this.destinationNames(
      model.workspaceId,
      runs.flatMap((run) => (run.failedRows ?? []).map((row) => row.destinationId)),
    );
    return { runs: runs.map((run) => runMessage(run, names)) };
  }

  /** The names of the workspace's destination instances among `ids`, by id (a deleted one has none). */
  private async destinationNames(workspaceId: string, ids: readonly string[]): Promise<ReadonlyMap<string, string>> {
    if (ids.length === 0) return new Map();
    const docs = await this.store.destinations
      .find({ workspaceId, _id: { $in: [...new Set(ids)] } }, { projection: { _id: 1, name: 1 } })
      .toArray();
    return new Map(docs.map((d) => [d._id, d.name]));
  }

  private async model(workspaceKey: string, key: string): Promise<ReverseEtlModel> {
    const workspace: WorkspaceDoc = await resolveWorkspace(this.store, workspaceKey);
    if (!key) throw ControlPlaneError.invalid([{ field: 'model', message: 'is required (id or name)' }]);
    const model =
      (await this.records.model(key)) ??
      (await this.records.listModels({ workspaceId: workspace._id })).find((m) => m.name === key);
    if (!model || model.workspaceId !== workspace._id) throw ControlPlaneError.notFound('model', key);
    return model;
  }
}

/** Input problems as the API's field violations (INVALID_ARGUMENT naming every field). */
function parsed<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InvalidReverseEtlInputError) {
      throw ControlPlaneError.invalid(error.problems.map((p) => ({ field: snakeCase(p.path), message: p.message })));
    }
    throw error;
  }
}

/** The records' schedule fields as the proto names them. */
const SCHEDULE_FIELDS: Record<string, string> = {
  'schedule.seconds': 'schedule.interval_seconds',
  'schedule.expression': 'schedule.cron',
};

/** The API's field names are the proto's (identifier_column), the records' camelCase. */
function snakeCase(path: string): string {
  return SCHEDULE_FIELDS[path] ?? path.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function scheduleFromMessage(schedule: ScheduleMessage | undefined): ModelSchedule | { kind: 'invalid' } {
  const interval = schedule?.intervalSeconds ?? 0;
  const cron = schedule?.cron ?? '';
  if (interval > 0 && cron) return { kind: 'invalid' };
  if (interval > 0) return { kind: 'interval', seconds: interval };
  if (cron) return { kind: 'cron', expression: cron };
  return { kind: 'manual' };
}

function modelMessage(model: ReverseEtlModel): ModelMessage {
  const s = model.schedule;
  return {
    id: model.id,
    workspaceId: model.workspaceId,
    name: model.name,
    warehouseId: model.warehouseId,
    sql: model.sql,
    identifierColumn: model.identifierColumn,
    schedule: {
      intervalSeconds: s.kind === 'interval' ? s.seconds : 0,
      cron: s.kind === 'cron' ? s.expression : '',
    },
    enabled: model.enabled,
    startFromNow: model.startFromNow,
    ...(model.runRequestedAt ? { runRequestedAt: new Date(model.runRequestedAt) } : {}),
    ...(model.resetRequestedAt ? { resetRequestedAt: new Date(model.resetRequestedAt) } : {}),
    createdAt: new Date(model.createdAt),
    createdBy: model.createdBy ?? '',
    updatedAt: new Date(model.updatedAt),
  };
}

function connectionMessage(c: ReverseEtlConnection): ConnectionMessage {
  return {
    id: c.id,
    workspaceId: c.workspaceId,
    modelId: c.modelId,
    destinationId: c.destinationId,
    changeKinds: c.changeKinds,
    action: c.action,
    fields: c.fields,
    enabled: c.enabled,
    rowsPerSecond: c.rowsPerSecond,
    mappingId: connectionMappingId(c.id),
  };
}

/** A run as the API shows it; its failed rows name their destination (`destinationNames`, by id). */
function runMessage(run: ReverseEtlRun, destinationNames: ReadonlyMap<string, string>): RunMessage {
  return {
    id: run.id,
    modelId: run.modelId,
    trigger: run.trigger,
    status: run.status,
    phase: run.phase,
    startedAt: new Date(run.startedAt),
    ...(run.finishedAt ? { finishedAt: new Date(run.finishedAt) } : {}),
    durationMs: run.durationMs ?? 0,
    counts: run.counts,
    published: run.published,
    skipped: run.skipped,
    errorCode: run.error?.code ?? '',
    errorMessage: run.error?.message ?? '',
    lastAttemptError: run.lastAttemptError ?? '',
    ...(run.deliveringSince ? { deliveringSince: new Date(run.deliveringSince) } : {}),
    expectedDeliveries: run.expectedDeliveries ?? 0,
    deliveries: deliveriesMessage(run),
    failedRows: (run.failedRows ?? []).slice(0, MAX_FAILED_ROW_SAMPLES).map((row) => ({
      key: row.key,
      changeKind: row.changeKind,
      destinationId: row.destinationId,
      destinationName: destinationNames.get(row.destinationId) ?? '',
      outcome: row.outcome === 'deadLettered' ? 'dead_lettered' : row.outcome,
      reason: row.reason,
      message: row.message,
      at: new Date(row.at),
    })),
    missingDeliveries: run.missingDeliveries ?? 0,
  };
}

/** Per outcome, the counts per change kind (the record keeps them per kind, then outcome). */
function deliveriesMessage(run: ReverseEtlRun): RunMessage['deliveries'] {
  const all = runDeliveries(run);
  const of = (outcome: RunDeliveryOutcome) => ({
    added: all.added[outcome],
    updated: all.updated[outcome],
    deleted: all.deleted[outcome],
  });
  return {
    delivered: of('delivered'),
    failed: of('failed'),
    deadLettered: of('deadLettered'),
    filtered: of('filtered'),
  };
}
