import { z } from 'zod';
import { DestinationMapping, DestinationMappingVersion } from '../models';
import { presentDestination, presentMappingVersion } from '../present';
import { defineRoute } from '../route';
import { destinationParams } from './destinations';

// A destination's mappings: read, replaced as a whole (validated; problems name
// `mappings[i].fields.<field>`), reset to the presets, versions listed and rolled back.

const MappingsResponse = z.object({
  mappings: z.array(DestinationMapping),
  version: z.number().int().describe('Send it back as expectedVersion to refuse a save over someone else’s'),
});

type Answer = z.input<typeof MappingsResponse>;

function mappingsOf(destination: Parameters<typeof presentDestination>[0]): Answer {
  const presented = presentDestination(destination);
  return { mappings: presented.mappings, version: presented.mappingsVersion };
}

export const destinationMappingRoutes = [
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/destinations/:destination/mappings',
    operationId: 'getDestinationMappings',
    summary: "A destination's mappings, in the order they run, and their version",
    tag: 'Destinations',
    access: 'read',
    params: destinationParams,
    response: MappingsResponse,
    async handler({ controlPlane, email, workspace, params }) {
      return mappingsOf(
        await controlPlane.destinations.getDestination(
          { workspace: workspace!.id, destination: params.destination },
          { actor: email },
        ),
      );
    },
  }),
  defineRoute({
    method: 'put',
    path: '/workspaces/:workspace/destinations/:destination/mappings',
    operationId: 'setDestinationMappings',
    summary: 'Replace every mapping; validated against the actions, nothing saved when one is invalid',
    tag: 'Destinations',
    access: 'write',
    params: destinationParams,
    body: z.object({
      mappings: z.array(DestinationMapping.extend({ id: z.string().default('') })),
      comment: z.string().max(500).default(''),
      dryRun: z.boolean().default(false).describe('Validate and answer without saving'),
      expectedVersion: z.number().int().optional(),
    }),
    response: MappingsResponse,
    async handler({ controlPlane, email, workspace, params, body }) {
      return mappingsOf(
        await controlPlane.destinations.setDestinationMappings(
          { workspace: workspace!.id, destination: params.destination, ...body },
          { actor: email },
        ),
      );
    },
  }),
  defineRoute({
    method: 'post',
    path: '/workspaces/:workspace/destinations/:destination/mappings/reset',
    operationId: 'resetDestinationMappings',
    summary: "Replace the mappings with the destination's presets (dryRun: just show the presets)",
    tag: 'Destinations',
    access: 'write',
    params: destinationParams,
    body: z.object({ comment: z.string().max(500).default(''), dryRun: z.boolean().default(false) }),
    response: MappingsResponse,
    async handler({ controlPlane, email, workspace, params, body }) {
      return mappingsOf(
        await controlPlane.destinations.resetDestinationMappings(
          { workspace: workspace!.id, destination: params.destination, ...body },
          { actor: email },
        ),
      );
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/destinations/:destination/mappings/versions',
    operationId: 'listDestinationMappingVersions',
    summary: 'Every saved version of the mappings, newest first: who, when, why and what changed',
    tag: 'Destinations',
    access: 'read',
    params: destinationParams,
    response: z.object({ versions: z.array(DestinationMappingVersion) }),
    async handler({ controlPlane, email, workspace, params }) {
      const result = await controlPlane.destinations.listDestinationMappingVersions(
        { workspace: workspace!.id, destination: params.destination },
        { actor: email },
      );
      return { versions: result.versions.map(presentMappingVersion) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/workspaces/:workspace/destinations/:destination/mappings/rollback',
    operationId: 'rollbackDestinationMappings',
    summary: 'Make the mappings of an earlier version current again (saved as a new version)',
    tag: 'Destinations',
    access: 'write',
    params: destinationParams,
    body: z.object({ version: z.number().int().min(1), comment: z.string().max(500).default('') }),
    response: MappingsResponse,
    async handler({ controlPlane, email, workspace, params, body }) {
      return mappingsOf(
        await controlPlane.destinations.rollbackDestinationMappings(
          { workspace: workspace!.id, destination: params.destination, ...body },
          { actor: email },
        ),
      );
    },
  }),
];
