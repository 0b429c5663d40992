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
import type { SecretBox } from '@manifold/secrets';
import type { WebhookSettingsDoc } from '../store/documents';
import { Violations } from './errors';
import { livePrevious, webhookSecretsDoc, webhookSecretsView } from './webhook-secrets';

/** The cloud apps ingestion reads natively, and `generic` (a mapping the user writes). */
export const WEBHOOK_KINDS = ['stripe', 'github', 'shopify', 'generic'] as const;

const HOUR = 60 * 60;

/**
 * How long each app's delivery ids are remembered by default, so that its retries reach each
 * destination once: at least as long as the app sends a delivery again. Stripe retries for up to
 * 3 days; GitHub redelivers (by hand) deliveries of the last 3 days; Shopify retries for 48 h at
 * most; a generic app's habits are unknown, so it gets the Tracking API's 24 h.
 */
export const DEFAULT_DUPLICATE_WINDOW_SECONDS: Readonly<Record<string, number>> = {
  stripe: 96 * HOUR,
  github: 96 * HOUR,
  shopify: 72 * HOUR,
  generic: 24 * HOUR,
};
const MIN_DUPLICATE_WINDOW_SECONDS = HOUR;
const MAX_DUPLICATE_WINDOW_SECONDS = 30 * 24 * HOUR;

/** The path an app delivers to: the source's id, which no rotation changes. */
export const webhookPath = (sourceId: string): string => `/v1/webhook/${sourceId}`;

/** The window a source's deliveries get: its own, else its app's default. */
export function duplicateWindowSeconds(doc: WebhookSettingsDoc): number {
  return doc.duplicateWindowSeconds ?? DEFAULT_DUPLICATE_WINDOW_SECONDS[doc.kind] ?? 24 * HOUR;
}

/**
 * A webhook source's settings to store: the kind, the signing secret sealed (never stored in
 * clear), the generic mapping as JSON text (its keys are the user's, and may hold `.` or start
 * with `$`, which FerretDB refuses as stored keys), the duplicate window when not the app's default.
 * `saved` is what an update starts from; the secrets follow webhookSecretsDoc.
 * Problems are added to `v`; the result is only meaningful when there are none.
 */
export function webhookSettingsDoc(
  v: Violations,
  given: WebhookSettings,
  saved: WebhookSettingsDoc | undefined,
  box: SecretBox,
  now: Date,
): WebhookSettingsDoc {
  const mapping = checkWebhookSettings(v, given);
  const window = given.duplicateWindowSeconds;
  if (
    window !== undefined &&
    window !== 0 &&
    (!Number.isInteger(window) || window < MIN_DUPLICATE_WINDOW_SECONDS || window > MAX_DUPLICATE_WINDOW_SECONDS)
  ) {
    v.add(
      'webhook.duplicate_window_seconds',
      `must be 0 (the app's default) or between ${MIN_DUPLICATE_WINDOW_SECONDS} (1 hour) and ${MAX_DUPLICATE_WINDOW_SECONDS} (30 days)`,
    );
  }
  return {
    kind: given.kind,
    ...webhookSecretsDoc(v, given, saved, box, now),
    mapping,
    // Unset keeps the saved window; 0 goes back to the app's default.
    duplicateWindowSeconds: window === undefined ? (saved?.duplicateWindowSeconds ?? null) : window || null,
  };
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

/** The settings as every read shows them: the secrets masked, the stable path, the window in force. */
export function webhookSettingsView(doc: WebhookSettingsDoc, sourceId: string, now: Date): WebhookSettings {
  return {
    kind: doc.kind,
    ...webhookSecretsView(doc, now),
    ...(doc.mapping ? { mapping: JSON.parse(doc.mapping) as Record<string, unknown> } : {}),
    duplicateWindowSeconds: duplicateWindowSeconds(doc),
    path: webhookPath(sourceId),
  };
}

/** The settings as the data plane gets them: the secrets in clear (the previous one while it lasts). */
export function webhookSourceConfig(doc: WebhookSettingsDoc, box: SecretBox, now: Date): WebhookSourceConfig {
  const previous = livePrevious(doc, now);
  return {
    kind: doc.kind,
    signingSecret: doc.signingSecret ? box.open(doc.signingSecret) : '',
    ...(doc.mapping ? { mapping: JSON.parse(doc.mapping) as Record<string, unknown> } : {}),
    previousSigningSecret: previous ? box.open(previous.sealed) : '',
    ...(previous ? { previousSigningSecretExpiresAt: previous.expiresAt } : {}),
    duplicateWindowSeconds: duplicateWindowSeconds(doc),
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
  if ((before?.duplicateWindowSeconds ?? null) !== (after.duplicateWindowSeconds ?? null))
    changed.push('webhook.duplicate_window_seconds');
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
