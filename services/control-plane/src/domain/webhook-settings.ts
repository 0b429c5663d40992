import type { WebhookSettings, WebhookSourceConfig } from '@manifold/proto';
import { isPlainObject, mappingProblems, type MappingValue } from '@manifold/destination-kit';
import type { SecretBox } from '@manifold/secrets';
import type { WebhookSettingsDoc } from '../store/documents';
import type { Violations } from './errors';
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
