import type { RouteDefinition } from '../route';
import { accountRoutes } from './account';
import { catalogRoutes } from './catalog';
import { deadLetterRoutes } from './dead-letters';
import { deliveryRoutes } from './delivery';
import { destinationMappingRoutes } from './destination-mappings';
import { destinationTestRoutes } from './destination-test';
import { destinationRoutes } from './destinations';
import { destinationOAuthRoutes } from './destination-oauth';
import { invitationRoutes } from './invitations';
import { quarantineReplayRoutes } from './quarantine-replays';
import { replayRoutes } from './replays';
import { reverseEtlRoutes } from './reverse-etl';
import { sourceRoutes } from './sources';
import { traceRoutes } from './traces';
import { trackingPlanRoutes } from './tracking-plans';
import { planViolationRoutes } from './plan-violations';
import { warehouseRoutes } from './warehouses';
import { webhookMappingPreviewRoutes } from './webhook-mapping-preview';
import { workspaceRoutes } from './workspaces';

/** Every Public API route; the web app uses the same ones. */
export const apiRoutes: RouteDefinition[] = [
  ...workspaceRoutes,
  ...invitationRoutes,
  // Before the source routes: its path would otherwise read as a source's slug.
  ...webhookMappingPreviewRoutes,
  ...sourceRoutes,
  ...destinationRoutes,
  ...destinationOAuthRoutes,
  ...destinationMappingRoutes,
  ...destinationTestRoutes,
  ...deadLetterRoutes,
  ...replayRoutes,
  ...quarantineReplayRoutes,
  ...traceRoutes,
  ...planViolationRoutes,
  ...deliveryRoutes,
  ...warehouseRoutes,
  ...reverseEtlRoutes,
  ...trackingPlanRoutes,
  ...catalogRoutes,
  ...accountRoutes,
];
