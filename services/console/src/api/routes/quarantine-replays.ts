import { z } from 'zod';
import type * as proto from '@manifold/proto';
import { fromMessage } from '../from-message';
import { QuarantineReplay } from '../operations-models';
import { defineRoute } from '../route';
import { listQuery, ratePerSecond, runParams, time, workspaceParams } from './replay-fields';

const present = (r: proto.QuarantineReplay) => fromMessage(QuarantineReplay, r);

/** Quarantine replays (the control plane's TrackingPlanService): blocked events sent on once the plan allows them. */
export const quarantineReplayRoutes = [
  defineRoute({
    method: 'post',
    path: '/workspaces/:workspace/quarantine-replays',
    operationId: 'startQuarantineReplay',
    summary:
      "Check a source's quarantined (blocked) events again against its tracking plan and publish those that pass, with their own messageIds (a second replay delivers nothing twice); the rest stay quarantined",
    tag: 'Replays',
    access: 'write',
    status: 201,
    params: workspaceParams,
    body: z.object({
      source: z.string().min(1).describe('Source id or slug'),
      from: time.optional().describe('Quarantined from (default: the oldest Kafka keeps)'),
      to: time.optional().describe('Quarantined before (default: now)'),
      eventName: z.string().default('').describe('Only track events of this name'),
      ratePerSecond,
    }),
    response: QuarantineReplay,
    async handler({ controlPlane, email, workspace, body }) {
      return present(
        await controlPlane.trackingPlans.startQuarantineReplay(
          {
            workspace: workspace!.id,
            source: body.source,
            from: body.from ? new Date(body.from) : undefined,
            to: body.to ? new Date(body.to) : undefined,
            eventName: body.eventName,
            ratePerSecond: body.ratePerSecond,
          },
          { actor: email },
        ),
      );
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/quarantine-replays',
    operationId: 'listQuarantineReplays',
    summary: 'Quarantine replays, newest first',
    tag: 'Replays',
    access: 'read',
    params: workspaceParams,
    query: listQuery,
    response: z.object({ replays: z.array(QuarantineReplay) }),
    async handler({ controlPlane, email, workspace, query }) {
      const { replays } = await controlPlane.trackingPlans.listQuarantineReplays(
        { workspace: workspace!.id, limit: query.limit },
        { actor: email },
      );
      return { replays: replays.map(present) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/quarantine-replays/:id',
    operationId: 'getQuarantineReplay',
    summary: 'A quarantine replay: progress, events released and still blocked',
    tag: 'Replays',
    access: 'read',
    params: runParams,
    response: QuarantineReplay,
    async handler({ controlPlane, email, workspace, params }) {
      return present(
        await controlPlane.trackingPlans.getQuarantineReplay(
          { workspace: workspace!.id, id: params.id },
          { actor: email },
        ),
      );
    },
  }),
  defineRoute({
    method: 'post',
    path: '/workspaces/:workspace/quarantine-replays/:id/cancel',
    operationId: 'cancelQuarantineReplay',
    summary: 'Stop a running quarantine replay after the events in hand; what it released stays released',
    tag: 'Replays',
    access: 'write',
    params: runParams,
    response: QuarantineReplay,
    async handler({ controlPlane, email, workspace, params }) {
      return present(
        await controlPlane.trackingPlans.cancelQuarantineReplay(
          { workspace: workspace!.id, id: params.id },
          { actor: email },
        ),
      );
    },
  }),
];
