import type { WebhookSettings } from '@manifold/proto';
import { SECRET_MASK, type SecretBox } from '@manifold/secrets';
import type { WebhookSettingsDoc } from '../store/documents';
import type { Violations } from './errors';

/** How long a rotated-out secret stays accepted when the rotation names no period: Stripe's longest. */
export const DEFAULT_PREVIOUS_SECRET_GRACE_SECONDS = 24 * 60 * 60;
/** The longest a rotated-out secret may stay accepted. */
export const MAX_PREVIOUS_SECRET_GRACE_SECONDS = 7 * 24 * 60 * 60;

/** A webhook source's secrets as stored: both sealed; the previous one with its expiry. */
export type WebhookSecretsDoc = Pick<
  WebhookSettingsDoc,
  'signingSecret' | 'previousSigningSecret' | 'previousSigningSecretExpiresAt'
>;

/** The previous secret while it is still accepted at `now`, else undefined. */
export function livePrevious(doc: WebhookSecretsDoc, now: Date): { sealed: string; expiresAt: Date } | undefined {
  const sealed = doc.previousSigningSecret;
  const expiresAt = doc.previousSigningSecretExpiresAt;
  return sealed && expiresAt && expiresAt > now ? { sealed, expiresAt } : undefined;
}

/**
 * The secrets to store after a create or an update (`saved`: what the update starts from).
 *
 * - `signing_secret`: unset or masked keeps the saved one; empty removes it; a value replaces it.
 * - `previous_secret_grace_seconds` with a new `signing_secret`: a rotation. The saved secret
 *   becomes the previous one, accepted for that long (0: 24 h), so an app that signs with the old
 *   secret for a while (Stripe, while a secret is rolled) or whose change lands before ours
 *   loses no delivery. Without it, the new secret replaces the old at once.
 * - `previous_signing_secret`: unset or masked keeps it (until it expires); empty removes it; a
 *   value is refused, since only a rotation makes one (its expiry comes with it).
 *
 * Problems are added to `v`; the result is only meaningful when there are none.
 */
export function webhookSecretsDoc(
  v: Violations,
  given: WebhookSettings,
  saved: WebhookSecretsDoc | undefined,
  box: SecretBox,
  now: Date,
): WebhookSecretsDoc {
  const secret = given.signingSecret;
  const savedPrevious = saved ? livePrevious(saved, now) : undefined;
  let previous = savedPrevious ? { sealed: savedPrevious.sealed, expiresAt: savedPrevious.expiresAt } : undefined;

  const givenPrevious = given.previousSigningSecret;
  if (givenPrevious === '') previous = undefined;
  else if (givenPrevious === SECRET_MASK && !savedPrevious) {
    v.add('webhook.previous_signing_secret', 'is masked, but none is saved (or it has expired)');
  } else if (givenPrevious !== undefined && givenPrevious !== SECRET_MASK) {
    v.add(
      'webhook.previous_signing_secret',
      'is set by a rotation: send the new secret as signing_secret with previous_secret_grace_seconds',
    );
  }

  let signingSecret: string | null;
  if (secret === undefined || secret === SECRET_MASK) {
    if (secret === SECRET_MASK && !saved?.signingSecret)
      v.add('webhook.signing_secret', 'is masked, but none is saved');
    signingSecret = saved?.signingSecret ?? null;
  } else if (secret === '') signingSecret = null;
  else signingSecret = box.seal(secret);

  const grace = given.previousSecretGraceSeconds;
  if (grace !== undefined) {
    const rotates = secret !== undefined && secret !== '' && secret !== SECRET_MASK;
    if (!rotates) {
      v.add('webhook.previous_secret_grace_seconds', 'goes with a new signing_secret (the secret it rotates to)');
    } else if (!Number.isInteger(grace) || grace < 0 || grace > MAX_PREVIOUS_SECRET_GRACE_SECONDS) {
      v.add(
        'webhook.previous_secret_grace_seconds',
        `must be between 0 (24 hours) and ${MAX_PREVIOUS_SECRET_GRACE_SECONDS} seconds (7 days)`,
      );
    } else if (saved?.signingSecret) {
      const seconds = grace === 0 ? DEFAULT_PREVIOUS_SECRET_GRACE_SECONDS : grace;
      previous = { sealed: saved.signingSecret, expiresAt: new Date(now.getTime() + seconds * 1000) };
    }
  }
  return {
    signingSecret,
    previousSigningSecret: previous?.sealed ?? null,
    previousSigningSecretExpiresAt: previous?.expiresAt ?? null,
  };
}

/** The secrets as every read shows them: masked, the previous one with its expiry while it lasts. */
export function webhookSecretsView(
  doc: WebhookSecretsDoc,
  now: Date,
): Pick<WebhookSettings, 'signingSecret' | 'previousSigningSecret' | 'previousSigningSecretExpiresAt'> {
  const previous = livePrevious(doc, now);
  return {
    ...(doc.signingSecret ? { signingSecret: SECRET_MASK } : {}),
    ...(previous ? { previousSigningSecret: SECRET_MASK, previousSigningSecretExpiresAt: previous.expiresAt } : {}),
  };
}
