import { z } from 'zod';
import { EventTrace } from '../operations-models';
import { presentEventTrace } from '../present-operations';
import { defineRoute } from '../route';

export const traceRoutes = [
  defineRoute({
    method: 'get',
    path: '/workspaces/:workspace/traces/:messageId',
    operationId: 'getEventTrace',
    summary:
      'What every connected destination and warehouse did with one event (messageId): attempts with masked requests and answers, decisions not to send it, its warehouse load',
    tag: 'Event traces',
    access: 'read',
    params: z.object({ workspace: z.string().describe('Workspace slug or id'), messageId: z.string().min(1) }),
    response: EventTrace,
    async handler({ controlPlane, email, workspace, params }) {
      return presentEventTrace(
        await controlPlane.traces.getEventTrace(
          { workspace: workspace!.id, messageId: params.messageId },
          { actor: email },
        ),
      );
    },
  }),
];
