import type { RouteDefinition } from '../route';
import { accountRoutes } from './account';
import { catalogRoutes } from './catalog';
import { deliveryRoutes } from './delivery';
import { destinationRoutes } from './destinations';
import { invitationRoutes } from './invitations';
import { sourceRoutes } from './sources';
import { warehouseRoutes } from './warehouses';
import { workspaceRoutes } from './workspaces';

/** Every Public API route; the web app uses the same ones. */
export const apiRoutes: RouteDefinition[] = [
  ...workspaceRoutes,
  ...invitationRoutes,
  ...sourceRoutes,
  ...destinationRoutes,
  ...deliveryRoutes,
  ...warehouseRoutes,
  ...catalogRoutes,
  ...accountRoutes,
];
