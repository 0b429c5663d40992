import { z } from 'zod';
import { Replay } from '../operations-models';
import { presentReplay } from '../present-operations';
import { defineRoute } from '../route';

const workspaceParams = z.object({ workspace: z.string().describe('Workspace slug or id') });
const time = z.iso.datetime().describe('RFC 3339 time');

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
      ratePerSecond: z.number().int().min(0).max(100_000).default(0).describe('Events per second at most; 0 means 500'),
    }),
    response: Replay,
    async handler({ controlPlane, email, workspace, body }) {
      return presentReplay(
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
    query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }),
    response: z.object({ replays: z.array(Replay) }),
    async handler({ controlPlane, email, workspace, query }) {
      const { replays } = await controlPlane.replays.listReplays(
        { workspace: workspace!.id, limit: query.limit },
        { actor: email },
      );
      return { replays: replays.map(presentReplay) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/replays/:id',
    operationId: 'getReplay',
    summary: 'A replay: progress, and the report of what was sent and what the deliveries came to',
    tag: 'Replays',
    access: 'read',
    params: workspaceParams.extend({ id: z.string() }),
    response: Replay,
    async handler({ controlPlane, email, workspace, params }) {
      return presentReplay(
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
    params: workspaceParams.extend({ id: z.string() }),
    response: Replay,
    async handler({ controlPlane, email, workspace, params }) {
      return presentReplay(
        await controlPlane.replays.cancelReplay({ workspace: workspace!.id, id: params.id }, { actor: email }),
      );
    },
  }),
];
