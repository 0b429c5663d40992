import { z } from 'zod';
import { defineRoute } from '../route';
import { WebhookMappingPreview, WebhookMappingPreviewBody } from '../webhook-mapping-models';

// The generic webhook source form's "test with a sample payload": the control plane runs the
// mapping with ingestion's own code (`webhookCall`), so the preview is what ingestion will do.

export const webhookMappingPreviewRoutes = [
  defineRoute({
    method: 'post',
    path: '/workspaces/:workspace/sources/webhook-mapping-preview',
    operationId: 'previewWebhookMapping',
    summary:
      "Try a generic webhook source's mapping on a sample delivery: the Spec call ingestion would make of it, or why the mapping fails",
    tag: 'Sources',
    // Only those who can create a source use it; like every other POST it is a member's.
    access: 'write',
    params: z.object({ workspace: z.string().describe('Workspace slug or id') }),
    body: WebhookMappingPreviewBody,
    response: WebhookMappingPreview,
    async handler({ controlPlane, email, workspace, body }) {
      const { call, error } = await controlPlane.sources.previewWebhookMapping(
        { workspace: workspace!.id, mapping: body.mapping, payload: body.payload },
        { actor: email },
      );
      return { call: call ?? null, error };
    },
  }),
];
