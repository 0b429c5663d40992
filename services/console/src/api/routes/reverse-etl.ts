import { z } from 'zod';
import { Empty } from '../models';
import { presentConnection, presentModel, presentRun } from '../present-reverse-etl';
import {
  ChangeKind,
  DeletedModel,
  ModelPreview,
  ModelSchedule,
  ReverseEtlConnection,
  ReverseEtlModel,
  ReverseEtlRun,
  SuggestedConnectionFields,
} from '../reverse-etl-models';
import { defineRoute } from '../route';
import { workspaceParams } from './destinations';

// Reverse ETL: models (warehouse queries as sources), their connections to destination instances,
// "run now", "reset", runs and a query's preview. The control plane checks everything (a
// connection's action and field mapping by the destination's own rules) and names each problem.

const TAG = 'Reverse ETL';
const modelParams = workspaceParams.extend({ model: z.string().describe('Model id or name') });
const connectionParams = modelParams.extend({ connection: z.string().describe('Connection id') });

const modelFields = {
  name: z.string().min(1).max(100),
  sql: z.string().min(1).max(100_000).describe('One SQL statement, run in the warehouse'),
  identifierColumn: z.string().min(1).max(200),
  schedule: ModelSchedule.default({ intervalSeconds: 0, cron: '' }),
  enabled: z.boolean().default(true),
  startFromNow: z.boolean().default(false),
};

const connectionFields = {
  changeKinds: z.array(ChangeKind).min(1),
  action: z.string().min(1),
  fields: z
    .record(z.string(), z.unknown())
    .default({})
    .describe(
      "The action's field mapping; on a new connection, none mapped: each field named as a model column is mapped from it",
    ),
  enabled: z.boolean().default(true),
  rowsPerSecond: z.number().int().min(0).default(0).describe('0 means 100'),
};

/** A route that answers the model after one call naming it: read it, "run now", "reset". */
function modelRoute(
  method: 'get' | 'post',
  suffix: string,
  operationId: string,
  summary: string,
  access: 'read' | 'write',
  call: 'getModel' | 'runModelNow' | 'resetModel',
) {
  return defineRoute({
    method,
    path: `/workspaces/:workspace/reverse-etl/models/:model${suffix}`,
    operationId,
    summary,
    tag: TAG,
    access,
    params: modelParams,
    response: ReverseEtlModel,
    async handler({ controlPlane, email, workspace, params }) {
      return presentModel(
        await controlPlane.reverseEtl[call]({ workspace: workspace!.id, model: params.model }, { actor: email }),
      );
    },
  });
}

export const reverseEtlRoutes = [
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/reverse-etl/models',
    operationId: 'listModels',
    summary: 'Reverse ETL models of a workspace',
    tag: TAG,
    access: 'read',
    params: workspaceParams,
    response: z.object({ models: z.array(ReverseEtlModel) }),
    async handler({ controlPlane, email, workspace }) {
      const result = await controlPlane.reverseEtl.listModels({ workspace: workspace!.id }, { actor: email });
      return { models: result.models.map(presentModel) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/workspaces/:workspace/reverse-etl/models',
    operationId: 'createModel',
    summary: 'Create a model: a query of a warehouse, its identifier column and its schedule',
    tag: TAG,
    access: 'write',
    status: 201,
    params: workspaceParams,
    body: z.object({ ...modelFields, warehouse: z.string().min(1).describe('Warehouse id or name') }),
    response: ReverseEtlModel,
    async handler({ controlPlane, email, workspace, body }) {
      return presentModel(
        await controlPlane.reverseEtl.createModel({ workspace: workspace!.id, ...body }, { actor: email }),
      );
    },
  }),
  defineRoute({
    method: 'post',
    path: '/workspaces/:workspace/reverse-etl/preview',
    operationId: 'previewModel',
    summary: "Run a query in a warehouse (a draft's or a model's) and answer its first rows and its row count",
    tag: TAG,
    // It sends nothing but runs SQL in the warehouse: members only.
    access: 'write',
    params: workspaceParams,
    body: z.object({
      warehouse: z.string().min(1).describe('Warehouse id or name'),
      sql: z.string().min(1).max(100_000),
      limit: z.number().int().min(1).max(50).default(50),
    }),
    response: ModelPreview,
    async handler({ controlPlane, email, workspace, body }) {
      const preview = await controlPlane.reverseEtl.previewModel(
        { workspace: workspace!.id, ...body },
        { actor: email, deadlineMs: 60_000 },
      );
      return { rows: preview.rows, rowCount: preview.rowCount };
    },
  }),
  modelRoute('get', '', 'getModel', 'A Reverse ETL model', 'read', 'getModel'),
  defineRoute({
    method: 'patch',
    path: '/workspaces/:workspace/reverse-etl/models/:model',
    operationId: 'updateModel',
    summary: 'Change a model (its warehouse stays); fields left out keep their values',
    tag: TAG,
    access: 'write',
    params: modelParams,
    body: z.object({
      name: modelFields.name.optional(),
      sql: modelFields.sql.optional(),
      identifierColumn: modelFields.identifierColumn.optional(),
      schedule: ModelSchedule.optional(),
      enabled: z.boolean().optional(),
      startFromNow: z.boolean().optional(),
    }),
    response: ReverseEtlModel,
    async handler({ controlPlane, email, workspace, params, body }) {
      const key = { workspace: workspace!.id, model: params.model };
      const current = await controlPlane.reverseEtl.getModel(key, { actor: email });
      const changed = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
      return presentModel(
        await controlPlane.reverseEtl.updateModel(
          {
            ...key,
            name: current.name,
            sql: current.sql,
            identifierColumn: current.identifierColumn,
            schedule: current.schedule,
            enabled: current.enabled,
            startFromNow: current.startFromNow,
            ...changed,
          },
          { actor: email },
        ),
      );
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/workspaces/:workspace/reverse-etl/models/:model',
    operationId: 'deleteModel',
    summary:
      'Delete a model with its connections (their destination mappings go too) and its runs; a run in progress is stopped between pages and canceled first',
    tag: TAG,
    access: 'write',
    params: modelParams,
    response: DeletedModel,
    async handler({ controlPlane, email, workspace, params }) {
      return controlPlane.reverseEtl.deleteModel({ workspace: workspace!.id, model: params.model }, { actor: email });
    },
  }),
  modelRoute(
    'post',
    '/run',
    'runModelNow',
    'Ask for a run now; it shows in the runs once a warehouse loader starts it',
    'write',
    'runModelNow',
  ),
  modelRoute(
    'post',
    '/reset',
    'resetModel',
    "Forget the model's last result and run it: every row is added (none with start from now)",
    'write',
    'resetModel',
  ),
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/reverse-etl/models/:model/runs',
    operationId: 'listModelRuns',
    summary: "A model's runs, latest first: counts found, published and skipped per change kind, errors",
    tag: TAG,
    access: 'read',
    params: modelParams,
    query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
    response: z.object({ runs: z.array(ReverseEtlRun) }),
    async handler({ controlPlane, email, workspace, params, query }) {
      const result = await controlPlane.reverseEtl.listRuns(
        { workspace: workspace!.id, model: params.model, limit: query.limit },
        { actor: email },
      );
      return { runs: result.runs.map(presentRun) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/reverse-etl/models/:model/connections',
    operationId: 'listModelConnections',
    summary: "A model's connections to destination instances",
    tag: TAG,
    access: 'read',
    params: modelParams,
    response: z.object({ connections: z.array(ReverseEtlConnection) }),
    async handler({ controlPlane, email, workspace, params }) {
      const result = await controlPlane.reverseEtl.listConnections(
        { workspace: workspace!.id, model: params.model },
        { actor: email },
      );
      return { connections: result.connections.map(presentConnection) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/workspaces/:workspace/reverse-etl/models/:model/connections',
    operationId: 'createModelConnection',
    summary: 'Connect a model to a destination instance: change kinds, an action and its field mapping',
    tag: TAG,
    access: 'write',
    status: 201,
    params: modelParams,
    body: z.object({ ...connectionFields, destination: z.string().min(1).describe('Destination id or name') }),
    response: ReverseEtlConnection,
    async handler({ controlPlane, email, workspace, params, body }) {
      return presentConnection(
        await controlPlane.reverseEtl.createConnection(
          { workspace: workspace!.id, model: params.model, ...body },
          { actor: email },
        ),
      );
    },
  }),
  defineRoute({
    method: 'post',
    path: '/workspaces/:workspace/reverse-etl/models/:model/suggested-fields',
    operationId: 'suggestModelConnectionFields',
    summary:
      "The field mapping a new connection to the destination's action would start with when given none (the console's Connect form shows it before saving)",
    tag: TAG,
    // It runs the model's query in the warehouse (one row): members only, as a preview.
    access: 'write',
    params: modelParams,
    body: z.object({
      destination: z.string().min(1).describe('Destination id or name'),
      action: z.string().min(1),
      columns: z
        .array(z.string().max(300))
        .max(1000)
        .default([])
        .describe(
          "The model's columns when the caller has them (a preview it ran); none: a one-row preview gives them",
        ),
    }),
    response: SuggestedConnectionFields,
    async handler({ controlPlane, email, workspace, params, body }) {
      const suggestion = await controlPlane.reverseEtl.suggestConnectionFields(
        { workspace: workspace!.id, model: params.model, ...body },
        { actor: email, deadlineMs: 60_000 },
      );
      return { fields: suggestion.fields ?? {}, columns: suggestion.columns };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/workspaces/:workspace/reverse-etl/models/:model/connections/:connection',
    operationId: 'updateModelConnection',
    summary: 'Change a connection (its destination stays); fields left out keep their values',
    tag: TAG,
    access: 'write',
    params: connectionParams,
    body: z.object({
      changeKinds: connectionFields.changeKinds.optional(),
      action: connectionFields.action.optional(),
      fields: z.record(z.string(), z.unknown()).optional(),
      enabled: z.boolean().optional(),
      rowsPerSecond: z.number().int().min(0).optional(),
    }),
    response: ReverseEtlConnection,
    async handler({ controlPlane, email, workspace, params, body }) {
      const key = { workspace: workspace!.id, model: params.model };
      const { connections } = await controlPlane.reverseEtl.listConnections(key, { actor: email });
      const current = connections.find((c) => c.id === params.connection);
      const changed = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
      // An unknown connection goes through as it is: the control plane answers NOT_FOUND.
      return presentConnection(
        await controlPlane.reverseEtl.updateConnection(
          {
            ...key,
            connection: params.connection,
            changeKinds: current?.changeKinds ?? [],
            action: current?.action ?? '',
            fields: current?.fields ?? {},
            enabled: current?.enabled ?? false,
            rowsPerSecond: current?.rowsPerSecond ?? 0,
            ...changed,
          },
          { actor: email },
        ),
      );
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/workspaces/:workspace/reverse-etl/models/:model/connections/:connection',
    operationId: 'deleteModelConnection',
    summary: 'Disconnect a model from a destination instance (its mapping goes too)',
    tag: TAG,
    access: 'write',
    params: connectionParams,
    response: Empty,
    async handler({ controlPlane, email, workspace, params }) {
      await controlPlane.reverseEtl.deleteConnection(
        { workspace: workspace!.id, model: params.model, connection: params.connection },
        { actor: email },
      );
      return {};
    },
  }),
];
