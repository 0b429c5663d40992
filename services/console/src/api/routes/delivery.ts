import { z } from 'zod';
import { DeliveryErrorSample, DeliveryView } from '../models';
import { presentDeliveryView, presentErrorSample } from '../present';
import { defineRoute } from '../route';
import { destinationParams } from './destinations';

export const deliveryRoutes = [
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/destinations/:destination/delivery',
    operationId: 'getDeliveryView',
    summary:
      'Event delivery: events per minute, hour or day by outcome (each counted once, attempts apart), reasons, latency percentiles and the latest error of each reason',
    tag: 'Destinations',
    access: 'read',
    params: destinationParams,
    query: z.object({
      range: z
        .enum(['hour', 'day', 'week'])
        .default('day')
        .describe('hour: the last hour by minute; day: the last 24 hours by hour; week: the last 7 days by day (UTC)'),
    }),
    response: DeliveryView,
    async handler({ controlPlane, email, workspace, params, query }) {
      return presentDeliveryView(
        await controlPlane.destinations.getDeliveryView(
          { workspace: workspace!.id, destination: params.destination, range: query.range },
          { actor: email },
        ),
      );
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/destinations/:destination/delivery/errors',
    operationId: 'listDeliveryErrors',
    summary: 'The latest failed or retried attempts (request and answer, secrets masked), newest first',
    tag: 'Destinations',
    access: 'read',
    params: destinationParams,
    query: z.object({
      reason: z.string().max(200).optional().describe('Only this reason, e.g. http_400 or ECONNREFUSED'),
      limit: z.coerce.number().int().min(1).max(100).default(20),
    }),
    response: z.object({ samples: z.array(DeliveryErrorSample) }),
    async handler({ controlPlane, email, workspace, params, query }) {
      const { samples } = await controlPlane.destinations.listDeliveryErrors(
        { workspace: workspace!.id, destination: params.destination, reason: query.reason ?? '', limit: query.limit },
        { actor: email },
      );
      return { samples: samples.map(presentErrorSample) };
    },
  }),
];
