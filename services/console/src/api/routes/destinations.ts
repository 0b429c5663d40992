import { z } from 'zod';
import { listQuery, toPageRequest } from '../list-query';
import { DeliveryStats, Destination, Empty, PageInfo } from '../models';
import { presentDeliveryStats, presentDestination } from '../present';
import { defineRoute } from '../route';

// warehouse: "warehouse" or "destination".
const VALUE_FIELDS = ['status', 'type', 'sources', 'category', 'name', 'created_by', 'warehouse'];
const TIME_FIELDS = ['created_at'];

export const workspaceParams = z.object({ workspace: z.string().describe('Workspace slug or id') });
export const destinationParams = workspaceParams.extend({ destination: z.string().describe('Destination id') });
const settings = z.record(z.string(), z.unknown());

export const listResponse = z.object({ destinations: z.array(Destination), page: PageInfo });

export const destinationRoutes = [
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/destinations',
    operationId: 'listDestinations',
    summary: 'Destinations (and warehouses) of a workspace, sorted and filtered by the control plane',
    tag: 'Destinations',
    access: 'read',
    params: workspaceParams,
    query: listQuery(VALUE_FIELDS, TIME_FIELDS),
    response: listResponse,
    async handler({ controlPlane, email, workspace, query }) {
      const result = await controlPlane.destinations.listDestinations(
        { workspace: workspace!.id, page: toPageRequest(query, VALUE_FIELDS, TIME_FIELDS) },
        { actor: email },
      );
      return {
        destinations: result.destinations.map(presentDestination),
        page: { nextPageToken: result.page?.nextPageToken ?? '', totalCount: result.page?.totalCount ?? 0 },
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/workspaces/:workspace/destinations',
    operationId: 'createDestination',
    summary: 'Add a destination (or warehouse) from the catalog; settings are validated against its schema',
    tag: 'Destinations',
    access: 'write',
    status: 201,
    params: workspaceParams,
    body: z.object({
      name: z.string().min(1).max(100),
      // Ids and names are short; a huge one was echoed into the control plane's error trailer, which gRPC refused (502).
      catalogId: z.string().min(1).max(200),
      settings: settings.default({}),
      enabled: z.boolean().optional(),
      sources: z.array(z.string().max(200)).default([]).describe('Source ids or slugs to connect at once'),
      syncIntervalSeconds: z.number().int().min(0).default(0).describe('Warehouses only; 0 means 3600'),
    }),
    response: Destination,
    async handler({ controlPlane, email, workspace, body }) {
      return presentDestination(
        await controlPlane.destinations.createDestination({ workspace: workspace!.id, ...body }, { actor: email }),
      );
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/destinations/:destination',
    operationId: 'getDestination',
    summary: 'A destination with its settings (secrets masked) and connected sources',
    tag: 'Destinations',
    access: 'read',
    params: destinationParams,
    response: Destination,
    async handler({ controlPlane, email, workspace, params }) {
      return presentDestination(
        await controlPlane.destinations.getDestination(
          { workspace: workspace!.id, destination: params.destination },
          { actor: email },
        ),
      );
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/workspaces/:workspace/destinations/:destination',
    operationId: 'updateDestination',
    summary: 'Change settings (merged; a masked secret keeps the saved one), enable or disable',
    tag: 'Destinations',
    access: 'write',
    params: destinationParams,
    body: z.object({
      name: z.string().min(1).max(100).optional(),
      settings: settings.optional(),
      enabled: z.boolean().optional(),
      syncIntervalSeconds: z.number().int().min(60).optional(),
      reason: z.string().max(200).default(''),
    }),
    response: Destination,
    async handler({ controlPlane, email, workspace, params, body }) {
      return presentDestination(
        await controlPlane.destinations.updateDestination(
          { workspace: workspace!.id, destination: params.destination, dryRun: false, ...body },
          { actor: email },
        ),
      );
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/workspaces/:workspace/destinations/:destination',
    operationId: 'deleteDestination',
    summary: 'Delete a destination',
    tag: 'Destinations',
    access: 'write',
    params: destinationParams,
    response: Empty,
    async handler({ controlPlane, email, workspace, params }) {
      await controlPlane.destinations.deleteDestination(
        { workspace: workspace!.id, destination: params.destination },
        { actor: email },
      );
      return {};
    },
  }),
  defineRoute({
    method: 'put',
    path: '/workspaces/:workspace/destinations/:destination/sources/:source',
    operationId: 'connectSource',
    summary: 'Connect a source to the destination',
    tag: 'Destinations',
    access: 'write',
    params: destinationParams.extend({ source: z.string() }),
    response: Destination,
    async handler({ controlPlane, email, workspace, params }) {
      return presentDestination(
        await controlPlane.destinations.connectSource(
          { workspace: workspace!.id, destination: params.destination, source: params.source },
          { actor: email },
        ),
      );
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/workspaces/:workspace/destinations/:destination/sources/:source',
    operationId: 'disconnectSource',
    summary: 'Disconnect a source from the destination',
    tag: 'Destinations',
    access: 'write',
    params: destinationParams.extend({ source: z.string() }),
    response: Destination,
    async handler({ controlPlane, email, workspace, params }) {
      return presentDestination(
        await controlPlane.destinations.disconnectSource(
          { workspace: workspace!.id, destination: params.destination, source: params.source },
          { actor: email },
        ),
      );
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/destinations/:destination/delivery-stats',
    operationId: 'getDeliveryStats',
    summary: 'Delivered, retried and failed counts (failures by reason) and latency',
    tag: 'Destinations',
    access: 'read',
    params: destinationParams,
    query: z.object({ since: z.iso.datetime().optional().describe('Window start; defaults to 24 hours ago') }),
    response: DeliveryStats,
    async handler({ controlPlane, email, workspace, params, query }) {
      return presentDeliveryStats(
        await controlPlane.destinations.getDeliveryStats(
          {
            workspace: workspace!.id,
            destination: params.destination,
            since: query.since ? new Date(query.since) : undefined,
          },
          { actor: email },
        ),
      );
    },
  }),
];
