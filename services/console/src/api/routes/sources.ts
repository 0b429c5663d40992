import { z } from 'zod';
import { listQuery, toPageRequest } from '../list-query';
import { Empty, PageInfo, Source, WebhookSettingsInput } from '../models';
import { presentSource } from '../present';
import { defineRoute } from '../route';
import { slugSchema } from './workspaces';

const VALUE_FIELDS = ['status', 'environment', 'destinations', 'type', 'category', 'created_by', 'name', 'slug'];
const TIME_FIELDS = ['created_at'];

const workspaceParams = z.object({ workspace: z.string().describe('Workspace slug or id') });
const sourceParams = workspaceParams.extend({ source: z.string().describe('Source slug or id') });

export const sourceRoutes = [
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/sources',
    operationId: 'listSources',
    summary: 'Sources of a workspace, sorted and filtered by the control plane',
    tag: 'Sources',
    access: 'read',
    params: workspaceParams,
    query: listQuery(VALUE_FIELDS, TIME_FIELDS).extend({
      include_models: z
        .enum(['true', 'false'])
        .optional()
        .describe(
          'true: the Reverse ETL models too, as sources of type "reverse-etl" and category "Reverse ETL" (their id is the model\'s: /reverse-etl/models/{id}), sorted, filtered and paged with the sources',
        ),
    }),
    response: z.object({ sources: z.array(Source), page: PageInfo }),
    async handler({ controlPlane, email, workspace, query }) {
      const result = await controlPlane.sources.listSources(
        {
          workspace: workspace!.id,
          page: toPageRequest(query, VALUE_FIELDS, TIME_FIELDS),
          includeModels: query.include_models === 'true',
        },
        { actor: email },
      );
      return {
        sources: result.sources.map(presentSource),
        page: { nextPageToken: result.page?.nextPageToken ?? '', totalCount: result.page?.totalCount ?? 0 },
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/workspaces/:workspace/sources',
    operationId: 'createSource',
    summary: 'Create a source; it gets a write key at once',
    tag: 'Sources',
    access: 'write',
    status: 201,
    params: workspaceParams,
    body: z.object({
      slug: slugSchema,
      name: z.string().min(1).max(100),
      environment: z.string().min(1).max(40).default('prod'),
      type: z.string().min(1).max(40).default('javascript'),
      category: z.string().min(1).max(40).default('website'),
      enabled: z.boolean().optional(),
      webhook: WebhookSettingsInput.optional(),
    }),
    response: Source,
    async handler({ controlPlane, email, workspace, body }) {
      return presentSource(
        await controlPlane.sources.createSource({ workspace: workspace!.id, ...body }, { actor: email }),
      );
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/sources/:source',
    operationId: 'getSource',
    summary: 'A source with its write keys, status history and connected destinations',
    tag: 'Sources',
    access: 'read',
    params: sourceParams,
    response: Source,
    async handler({ controlPlane, email, workspace, params }) {
      return presentSource(
        await controlPlane.sources.getSource({ workspace: workspace!.id, source: params.source }, { actor: email }),
      );
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/workspaces/:workspace/sources/:source',
    operationId: 'updateSource',
    summary: 'Rename, re-label, enable or disable a source',
    tag: 'Sources',
    access: 'write',
    params: sourceParams,
    body: z.object({
      name: z.string().min(1).max(100).optional(),
      slug: slugSchema.optional(),
      environment: z.string().min(1).max(40).optional(),
      category: z.string().min(1).max(40).optional(),
      enabled: z.boolean().optional(),
      webhook: WebhookSettingsInput.optional(),
      reason: z.string().max(200).default('').describe('Why the status changed, kept in the history'),
    }),
    response: Source,
    async handler({ controlPlane, email, workspace, params, body }) {
      return presentSource(
        await controlPlane.sources.updateSource(
          { workspace: workspace!.id, source: params.source, ...body, dryRun: false },
          { actor: email },
        ),
      );
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/workspaces/:workspace/sources/:source',
    operationId: 'deleteSource',
    summary: 'Delete a source',
    tag: 'Sources',
    access: 'write',
    params: sourceParams,
    response: Empty,
    async handler({ controlPlane, email, workspace, params }) {
      await controlPlane.sources.deleteSource({ workspace: workspace!.id, source: params.source }, { actor: email });
      return {};
    },
  }),
  defineRoute({
    method: 'post',
    path: '/workspaces/:workspace/sources/:source/write-keys/rotate',
    operationId: 'rotateWriteKey',
    summary: 'Issue a new write key; the old one keeps working for the grace period',
    tag: 'Sources',
    access: 'write',
    params: sourceParams,
    body: z.object({
      gracePeriodSeconds: z
        .number()
        .int()
        .default(0)
        .describe('How long the old key keeps working: 0 means 24 hours, negative revokes it at once'),
    }),
    response: Source,
    async handler({ controlPlane, email, workspace, params, body }) {
      return presentSource(
        await controlPlane.sources.rotateWriteKey(
          { workspace: workspace!.id, source: params.source, gracePeriodSeconds: body.gracePeriodSeconds },
          { actor: email },
        ),
      );
    },
  }),
  defineRoute({
    method: 'put',
    path: '/workspaces/:workspace/sources/:source/auto-disable-exception',
    operationId: 'setAutoDisableException',
    summary: 'Exempt a source from auto-disable (or end the exemption)',
    tag: 'Sources',
    access: 'write',
    params: sourceParams,
    body: z.object({ exempt: z.boolean() }),
    response: Source,
    async handler({ controlPlane, email, workspace, params, body }) {
      const source = await controlPlane.sources.getSource(
        { workspace: workspace!.id, source: params.source },
        { actor: email },
      );
      await controlPlane.workspaces.setAutoDisableException(
        { workspace: workspace!.id, source: source.id, exempt: body.exempt },
        { actor: email },
      );
      return presentSource(
        await controlPlane.sources.getSource({ workspace: workspace!.id, source: source.id }, { actor: email }),
      );
    },
  }),
];
