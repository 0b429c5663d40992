import { z } from 'zod';
import type * as proto from '@manifold/proto';
import { fromMessage } from '../from-message';
import { Replay } from '../operations-models';
import { defineRoute } from '../route';
import { listQuery, ratePerSecond, runParams, time, workspaceParams } from './replay-fields';

// The API's Replay has no workspaceId, unlike its QuarantineReplay: its answers stay as they were.
const present = (r: Omit<proto.Replay, 'workspaceId'>) => fromMessage(Replay, r);

export const replayRoutes = [
  defineRoute({
    method: 'post',
    path: '/workspaces/:workspace/replays',
    operationId: 'startReplay',
    summary:
      "Send a time range of a source's events again to one destination or warehouse (while Kafka holds them); messageIds it received in the last 24 hours are not delivered again",
    tag: 'Replays',
    access: 'write',
    status: 201,
    params: workspaceParams,
    body: z.object({
      source: z.string().min(1).describe('Source id or slug'),
      destination: z.string().min(1).describe('Destination or warehouse id'),
      from: time,
      to: time,
      ratePerSecond,
    }),
    response: Replay,
    async handler({ controlPlane, email, workspace, body }) {
      return present(
        await controlPlane.replays.startReplay(
          {
            workspace: workspace!.id,
            source: body.source,
            destination: body.destination,
            from: new Date(body.from),
            to: new Date(body.to),
            ratePerSecond: body.ratePerSecond,
          },
          { actor: email },
        ),
      );
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/replays',
    operationId: 'listReplays',
    summary: 'Replays, newest first',
    tag: 'Replays',
    access: 'read',
    params: workspaceParams,
    query: listQuery,
    response: z.object({ replays: z.array(Replay) }),
    async handler({ controlPlane, email, workspace, query }) {
      const { replays } = await controlPlane.replays.listReplays(
        { workspace: workspace!.id, limit: query.limit },
        { actor: email },
      );
      return { replays: replays.map(present) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/replays/:id',
    operationId: 'getReplay',
    summary: 'A replay: progress, and the report of what was sent and what the deliveries came to',
    tag: 'Replays',
    access: 'read',
    params: runParams,
    response: Replay,
    async handler({ controlPlane, email, workspace, params }) {
      return present(
        await controlPlane.replays.getReplay({ workspace: workspace!.id, id: params.id }, { actor: email }),
      );
    },
  }),
  defineRoute({
    method: 'post',
    path: '/workspaces/:workspace/replays/:id/cancel',
    operationId: 'cancelReplay',
    summary: 'Stop a running replay after the events in hand; what it sent stays sent',
    tag: 'Replays',
    access: 'write',
    params: runParams,
    response: Replay,
    async handler({ controlPlane, email, workspace, params }) {
      return present(
        await controlPlane.replays.cancelReplay({ workspace: workspace!.id, id: params.id }, { actor: email }),
      );
    },
  }),
];
