import { CALL_TYPES, sampleEvent } from '@manifold/events';
import { z } from 'zod';
import { TestDestinationBody, TestDestinationResult } from '../destination-test-models';
import { presentTestResult } from '../present-destination-test';
import { defineRoute } from '../route';
import { HttpError } from '../../server/http-error';
import { destinationParams } from './destinations';

// The mapping tester: an event through the saved (or draft) mappings, the exact requests, and
// with `send` the destination's answers and how Manifold reads them; and sample events to start from.

export const destinationTestRoutes = [
  defineRoute({
    method: 'post',
    path: '/workspaces/:workspace/destinations/:destination/test',
    operationId: 'testDestination',
    summary:
      'Try an event on the mappings (saved, or a draft): trigger matches, payloads, errors by path, the exact requests (masked); send: the answers and their classification',
    tag: 'Destinations',
    // Trying is reading; sending reaches the destination, so it needs a member (checked below).
    access: 'read',
    params: destinationParams,
    body: TestDestinationBody,
    response: TestDestinationResult,
    async handler({ controlPlane, email, workspace, role, params, body }) {
      if (body.send && role === 'read-only') {
        throw new HttpError(403, 'forbidden', 'sending a test event needs a member or owner of the workspace');
      }
      const result = await controlPlane.destinations.testDestination(
        {
          workspace: workspace!.id,
          destination: params.destination,
          event: body.event,
          mappings: body.mappings ?? [],
          draft: body.mappings !== undefined,
          send: body.send,
        },
        { actor: email, deadlineMs: 60_000 },
      );
      return presentTestResult(result, body.send);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/destinations/:destination/test/sample',
    operationId: 'sampleTestEvent',
    summary: 'A generated sample Spec event of a call type, to start a test from',
    tag: 'Destinations',
    access: 'read',
    params: destinationParams,
    query: z.object({
      type: z.enum(CALL_TYPES).default('track'),
      event: z.string().min(1).max(200).optional().describe('The track event’s name (or the page or screen name)'),
    }),
    response: z.object({ event: z.record(z.string(), z.unknown()) }),
    async handler({ controlPlane, email, workspace, params, query }) {
      // The destination must exist in the workspace, as for every route under it.
      await controlPlane.destinations.getDestination(
        { workspace: workspace!.id, destination: params.destination },
        { actor: email },
      );
      return { event: sampleEvent(query.type, query.event) };
    },
  }),
];
