import { z } from 'zod';
import { CatalogEntry, IntegrationRequest, PageInfo } from '../models';
import { presentCatalogEntry, presentIntegrationRequest } from '../present';
import { defineRoute } from '../route';

const workspaceParams = z.object({ workspace: z.string().describe('Workspace slug or id') });

export const catalogRoutes = [
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/catalog',
    operationId: 'listCatalog',
    summary: 'Destination types, searchable and browsable by category',
    tag: 'Catalog',
    access: 'read',
    params: workspaceParams,
    query: z.object({
      search: z.string().default('').describe('Matches name, id and description'),
      category: z.string().default(''),
    }),
    response: z.object({
      entries: z.array(CatalogEntry),
      categories: z.record(z.string(), z.number().int()).describe('Every category with its number of entries'),
    }),
    async handler({ controlPlane, email, query }) {
      const result = await controlPlane.catalog.listCatalog(query, { actor: email });
      return { entries: result.entries.map(presentCatalogEntry), categories: result.categories };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/catalog/:entry',
    operationId: 'getCatalogEntry',
    summary: 'One destination type with its settings schema',
    tag: 'Catalog',
    access: 'read',
    params: workspaceParams.extend({ entry: z.string() }),
    response: CatalogEntry,
    async handler({ controlPlane, email, params }) {
      return presentCatalogEntry(await controlPlane.catalog.getCatalogEntry({ id: params.entry }, { actor: email }));
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/integration-requests',
    operationId: 'listIntegrationRequests',
    summary: "The workspace's requests for integrations, with counts per integration",
    tag: 'Catalog',
    access: 'read',
    params: workspaceParams,
    response: z.object({
      requests: z.array(IntegrationRequest),
      counts: z.array(z.object({ name: z.string(), count: z.number().int() })),
      page: PageInfo,
    }),
    async handler({ controlPlane, email, workspace }) {
      const result = await controlPlane.catalog.listIntegrationRequests(
        {
          workspace: workspace!.id,
          page: { pageSize: 500, pageToken: '', sort: [{ field: 'created_at', descending: true }], filters: [] },
        },
        { actor: email },
      );
      return {
        requests: result.requests.map(presentIntegrationRequest),
        counts: result.counts.map((c) => ({ name: c.name, count: c.count })),
        page: { nextPageToken: result.page?.nextPageToken ?? '', totalCount: result.page?.totalCount ?? 0 },
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/workspaces/:workspace/integration-requests',
    operationId: 'createIntegrationRequest',
    summary: 'Ask for an integration that the catalog lacks',
    tag: 'Catalog',
    access: 'write',
    status: 201,
    params: workspaceParams,
    body: z.object({
      name: z.string().min(1).max(100),
      website: z.url().max(300).or(z.literal('')).default(''),
      useCase: z.string().min(1, 'say what you would use it for').max(2000),
    }),
    response: IntegrationRequest,
    async handler({ controlPlane, email, workspace, body }) {
      return presentIntegrationRequest(
        await controlPlane.catalog.createIntegrationRequest({ workspace: workspace!.id, ...body }, { actor: email }),
      );
    },
  }),
];
