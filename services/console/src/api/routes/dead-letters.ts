import { z } from 'zod';
import { DeadLetter, DeadLetterPage, Redrive } from '../operations-models';
import { presentDeadLetter, presentRedrive } from '../present-operations';
import { defineRoute } from '../route';

const workspaceParams = z.object({ workspace: z.string().describe('Workspace slug or id') });
const destinationParams = workspaceParams.extend({ destination: z.string().describe('Destination id') });
const time = z.iso.datetime().describe('RFC 3339 time');

export const deadLetterRoutes = [
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/destinations/:destination/dead-letters',
    operationId: 'listDeadLetters',
    summary: "A destination's dead letters, newest first, by reason and time (last request and answer masked)",
    tag: 'Dead letters',
    access: 'read',
    params: destinationParams,
    query: z.object({
      reason: z.string().default(''),
      failedFrom: time.optional(),
      failedTo: time.optional(),
      includeRedriven: z.enum(['true', 'false']).default('false').describe('Also those a redrive has sent again'),
      pageSize: z.coerce.number().int().min(1).max(500).default(50),
      pageToken: z.string().default(''),
    }),
    response: DeadLetterPage,
    async handler({ controlPlane, email, workspace, params, query }) {
      const page = await controlPlane.deadLetters.listDeadLetters(
        {
          workspace: workspace!.id,
          destination: params.destination,
          reason: query.reason,
          ...(query.failedFrom ? { failedFrom: new Date(query.failedFrom) } : {}),
          ...(query.failedTo ? { failedTo: new Date(query.failedTo) } : {}),
          includeRedriven: query.includeRedriven === 'true',
          pageSize: query.pageSize,
          pageToken: query.pageToken,
        },
        { actor: email },
      );
      return {
        deadLetters: page.deadLetters.map(presentDeadLetter),
        nextPageToken: page.nextPageToken,
        totalCount: page.totalCount,
        waitingByReason: page.waitingByReason.map((r) => ({ reason: r.reason, count: r.count })),
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/destinations/:destination/dead-letters/:id',
    operationId: 'getDeadLetter',
    summary: 'One dead letter, with the event as the destination would have received it',
    tag: 'Dead letters',
    access: 'read',
    params: destinationParams.extend({ id: z.string().describe('The dead letter id (URL-encoded)') }),
    response: DeadLetter,
    async handler({ controlPlane, email, workspace, params }) {
      return presentDeadLetter(
        await controlPlane.deadLetters.getDeadLetter(
          { workspace: workspace!.id, destination: params.destination, id: params.id },
          { actor: email },
        ),
      );
    },
  }),
  defineRoute({
    method: 'post',
    path: '/workspaces/:workspace/destinations/:destination/redrives',
    operationId: 'startRedrive',
    summary:
      'Send dead letters again through the normal delivery path with their messageIds: the ids given, or all that match reason and time',
    tag: 'Dead letters',
    access: 'write',
    status: 201,
    params: destinationParams,
    body: z.object({
      ids: z.array(z.string()).max(10_000).default([]),
      all: z.boolean().default(false),
      reason: z.string().default(''),
      failedFrom: time.optional(),
      failedTo: time.optional(),
      ratePerSecond: z.number().int().min(0).default(0).describe('Events per second at most; 0 means 100'),
    }),
    response: Redrive,
    async handler({ controlPlane, email, workspace, params, body }) {
      return presentRedrive(
        await controlPlane.deadLetters.startRedrive(
          {
            workspace: workspace!.id,
            destination: params.destination,
            ids: body.ids,
            all: body.all,
            reason: body.reason,
            ...(body.failedFrom ? { failedFrom: new Date(body.failedFrom) } : {}),
            ...(body.failedTo ? { failedTo: new Date(body.failedTo) } : {}),
            ratePerSecond: body.ratePerSecond,
          },
          { actor: email },
        ),
      );
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/redrives',
    operationId: 'listRedrives',
    summary: 'Redrives, newest first: who sent which dead letters again, when, how many',
    tag: 'Dead letters',
    access: 'read',
    params: workspaceParams,
    query: z.object({
      destination: z.string().default(''),
      limit: z.coerce.number().int().min(1).max(100).default(20),
    }),
    response: z.object({ redrives: z.array(Redrive) }),
    async handler({ controlPlane, email, workspace, query }) {
      const { redrives } = await controlPlane.deadLetters.listRedrives(
        { workspace: workspace!.id, destination: query.destination, limit: query.limit },
        { actor: email },
      );
      return { redrives: redrives.map(presentRedrive) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/redrives/:id',
    operationId: 'getRedrive',
    summary: 'A redrive: its progress and what its deliveries came to',
    tag: 'Dead letters',
    access: 'read',
    params: workspaceParams.extend({ id: z.string() }),
    response: Redrive,
    async handler({ controlPlane, email, workspace, params }) {
      return presentRedrive(
        await controlPlane.deadLetters.getRedrive({ workspace: workspace!.id, id: params.id }, { actor: email }),
      );
    },
  }),
  defineRoute({
    method: 'post',
    path: '/workspaces/:workspace/redrives/:id/stop',
    operationId: 'stopRedrive',
    summary: 'Stop a running redrive after the events in hand; what it sent stays sent',
    tag: 'Dead letters',
    access: 'write',
    params: workspaceParams.extend({ id: z.string() }),
    response: Redrive,
    async handler({ controlPlane, email, workspace, params }) {
      return presentRedrive(
        await controlPlane.deadLetters.stopRedrive({ workspace: workspace!.id, id: params.id }, { actor: email }),
      );
    },
  }),
];
