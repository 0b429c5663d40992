import { z } from 'zod';
import { WarehouseLoad, WarehouseStatus } from '../models';
import { presentDestination, presentWarehouseLoad, presentWarehouseStatus } from '../present';
import { defineRoute } from '../route';
import { destinationParams, listResponse, workspaceParams } from './destinations';

export const warehouseRoutes = [
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/warehouses',
    operationId: 'listWarehouses',
    summary: 'Warehouses of a workspace',
    tag: 'Warehouses',
    access: 'read',
    params: workspaceParams,
    response: listResponse,
    async handler({ controlPlane, email, workspace }) {
      const result = await controlPlane.destinations.listDestinations(
        {
          workspace: workspace!.id,
          page: {
            pageSize: 500,
            pageToken: '',
            sort: [{ field: 'name', descending: false }],
            filters: [{ field: 'warehouse', values: ['warehouse'], from: undefined, to: undefined }],
          },
        },
        { actor: email },
      );
      return {
        destinations: result.destinations.filter((d) => d.warehouse).map(presentDestination),
        page: { nextPageToken: result.page?.nextPageToken ?? '', totalCount: result.page?.totalCount ?? 0 },
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/warehouses/:destination/loads',
    operationId: 'listWarehouseLoads',
    summary: 'Load history of a warehouse, newest first',
    tag: 'Warehouses',
    access: 'read',
    params: destinationParams,
    query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
    response: z.object({ loads: z.array(WarehouseLoad) }),
    async handler({ controlPlane, email, workspace, params, query }) {
      const { loads } = await controlPlane.destinations.listWarehouseLoads(
        { workspace: workspace!.id, destination: params.destination, limit: query.limit },
        { actor: email },
      );
      return { loads: loads.map(presentWarehouseLoad) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/warehouse-syncs',
    operationId: 'listWarehouseSyncs',
    summary: "Each warehouse's last sync (status, time, duration, rows), next scheduled sync and pending sync request",
    tag: 'Warehouses',
    access: 'read',
    params: workspaceParams,
    response: z.object({ warehouses: z.array(WarehouseStatus) }),
    async handler({ controlPlane, email, workspace }) {
      const { warehouses } = await controlPlane.destinations.listWarehouseStatus(
        { workspace: workspace!.id },
        { actor: email },
      );
      return { warehouses: warehouses.map(presentWarehouseStatus) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/workspaces/:workspace/warehouses/:destination/sync',
    operationId: 'syncWarehouse',
    summary: 'Sync now: the warehouse loads what is waiting at once instead of at its next interval',
    tag: 'Warehouses',
    access: 'write',
    params: destinationParams,
    response: WarehouseStatus,
    async handler({ controlPlane, email, workspace, params }) {
      return presentWarehouseStatus(
        await controlPlane.destinations.syncWarehouse(
          { workspace: workspace!.id, destination: params.destination },
          { actor: email },
        ),
      );
    },
  }),
];
