import { isDeepStrictEqual } from 'node:util';
import type {
  PreviewWebhookMappingRequest,
  PreviewWebhookMappingResponse,
  WebhookSettings,
  WebhookSourceConfig,
} from '@manifold/proto';
import {
  isPlainObject,
  MappingError,
  mappingProblems,
  webhookCall,
  type MappingValue,
} from '@manifold/destination-kit';
import { SECRET_MASK, type SecretBox } from '@manifold/secrets';
import type { WebhookSettingsDoc } from '../store/documents';
import { Violations } from './errors';

/** The cloud apps ingestion reads natively, and `generic` (a mapping the user writes). */
export const WEBHOOK_KINDS = ['stripe', 'github', 'shopify', 'generic'] as const;

/**
 * A webhook source's settings to store: the kind, the signing secret sealed (never stored in
 * clear), the generic mapping as JSON text (its keys are the user's, and may hold `.` or start
 * with `$`, which FerretDB refuses as stored keys). `saved` is what an update starts from: a secret
 * sent back masked keeps it, an empty one removes it, an absent one keeps it.
 * Problems are added to `v`; the result is only meaningful when there are none.
 */
export function webhookSettingsDoc(
  v: Violations,
  given: WebhookSettings,
  saved: WebhookSettingsDoc | undefined,
  box: SecretBox,
): WebhookSettingsDoc {
  const mapping = checkWebhookSettings(v, given);
  const secret = given.signingSecret;
  let signingSecret: string | null;
  if (secret === undefined || secret === SECRET_MASK) {
    if (secret === SECRET_MASK && !saved?.signingSecret)
      v.add('webhook.signing_secret', 'is masked, but none is saved');
    signingSecret = saved?.signingSecret ?? null;
  } else if (secret === '') signingSecret = null;
  else signingSecret = box.seal(secret);
  return { kind: given.kind, signingSecret, mapping };
}

/**
 * The kind and the generic mapping checked (problems added to `v`, at `webhook.kind`,
 * `webhook.mapping.<path>`); the mapping as it is stored, JSON text, or null. `manifold apply`
 * runs the same checks on a file before it changes anything.
 */
export function checkWebhookSettings(v: Violations, given: Pick<WebhookSettings, 'kind' | 'mapping'>): string | null {
  if (!(WEBHOOK_KINDS as readonly string[]).includes(given.kind)) {
    v.add('webhook.kind', `must be one of ${WEBHOOK_KINDS.join(', ')}`);
  }
  let mapping: string | null = null;
  if (given.kind === 'generic') {
    if (!isPlainObject(given.mapping) || Object.keys(given.mapping).length === 0) {
      v.add('webhook.mapping', 'is required for a generic webhook source: which fields make the Spec call');
    } else {
      for (const problem of mappingProblems(given.mapping as MappingValue, 'webhook.mapping')) {
        v.add(problem.path, problem.message);
      }
      const type: unknown = given.mapping['type'];
      if (type !== undefined && typeof type !== 'string' && !isPlainObject(type)) {
        v.add('webhook.mapping.type', 'must be a call type (track, identify, ...) or a directive giving one');
      }
      mapping = JSON.stringify(given.mapping);
    }
  } else if (isPlainObject(given.mapping) && Object.keys(given.mapping).length > 0) {
    v.add(
      'webhook.mapping',
      `is only for generic sources: ${given.kind} deliveries are read by a built-in translation`,
    );
  }
  return mapping;
}

/** The settings as every read shows them: the secret masked. */
export function webhookSettingsView(doc: WebhookSettingsDoc): WebhookSettings {
  return {
    kind: doc.kind,
    ...(doc.signingSecret ? { signingSecret: SECRET_MASK } : {}),
    ...(doc.mapping ? { mapping: JSON.parse(doc.mapping) as Record<string, unknown> } : {}),
  };
}

/** The settings as the data plane gets them: the secret in clear. */
export function webhookSourceConfig(doc: WebhookSettingsDoc, box: SecretBox): WebhookSourceConfig {
  return {
    kind: doc.kind,
    signingSecret: doc.signingSecret ? box.open(doc.signingSecret) : '',
    ...(doc.mapping ? { mapping: JSON.parse(doc.mapping) as Record<string, unknown> } : {}),
  };
}

/**
 * Which of a webhook source's settings an update changes (`webhook.kind`, `webhook.signing_secret`,
 * `webhook.mapping`): the secrets are compared opened, so a secret sent again unchanged is not a
 * change, and a second `manifold apply` has nothing to do.
 */
export function webhookChangedFields(
  before: WebhookSettingsDoc | undefined,
  after: WebhookSettingsDoc,
  box: SecretBox,
): string[] {
  const changed: string[] = [];
  if (before?.kind !== after.kind) changed.push('webhook.kind');
  const secret = (doc: WebhookSettingsDoc | undefined) => (doc?.signingSecret ? box.open(doc.signingSecret) : null);
  if (secret(before) !== secret(after)) changed.push('webhook.signing_secret');
  const mapping = (doc: WebhookSettingsDoc | undefined): unknown => (doc?.mapping ? JSON.parse(doc.mapping) : null);
  if (!isDeepStrictEqual(mapping(before), mapping(after))) changed.push('webhook.mapping');
  return changed;
}

/**
 * What a generic source's mapping makes of a sample delivery, by the code ingestion runs on every
 * delivery (`webhookCall`): the mapping checked as a save checks it, the payload a JSON object.
 * A directive that fails on this payload is an answer (`error`), not a refused request.
 */
export function previewWebhookMapping(req: PreviewWebhookMappingRequest): PreviewWebhookMappingResponse {
  const v = new Violations();
  checkWebhookSettings(v, { kind: 'generic', mapping: req.mapping });
  let payload: unknown;
  try {
    payload = JSON.parse(req.payload);
  } catch (error) {
    v.add('payload', `is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (payload !== undefined && !isPlainObject(payload)) v.add('payload', 'must be a JSON object');
  v.throwIfAny();
  try {
    return {
      call: webhookCall(req.mapping as MappingValue, payload as Record<string, unknown>, req.payload),
      error: '',
    };
  } catch (error) {
    if (error instanceof MappingError) return { call: undefined, error: error.message };
    throw error;
  }
}
