import type { IncomingHttpHeaders } from 'node:http';
import type { WebhookSourceConfig } from '@manifold/config-client';
import type { SignedWith } from '../debugger/live-debugger';
import type { WebhookApp } from './delivery';

export type DeliveryVerdict = { ok: true; signedWith: SignedWith } | { ok: false; reason: string };

/** The previous secret while it is still accepted at `nowMs`. */
function livePrevious(settings: WebhookSourceConfig, nowMs: number): string | undefined {
  const { previousSigningSecret: secret, previousSigningSecretExpiresAt: until } = settings;
  if (!secret || !until) return undefined;
  return Date.parse(until) > nowMs ? secret : undefined;
}

/**
 * A delivery's signature against the source's secrets: the current one, then, during a rotation,
 * the one it replaced until that expires (GitHub and Shopify switch to a new secret at once, so
 * deliveries signed with the old one arrive until the app and the source both have the new one;
 * Stripe signs with both, and the current one matches). The expiry is checked here, against the
 * delivery's arrival, not only when the control plane builds a snapshot. A refusal gives the
 * current secret's reason: which secrets exist is nobody's business.
 */
export function verifyDelivery(
  app: WebhookApp,
  settings: WebhookSourceConfig,
  headers: IncomingHttpHeaders,
  raw: Buffer,
  nowMs: number,
): DeliveryVerdict {
  if (settings.signingSecret === '') return { ok: true, signedWith: 'unverified' };
  const current = app.verify(headers, raw, settings.signingSecret, nowMs);
  if (current.ok) return { ok: true, signedWith: 'current' };
  const previous = livePrevious(settings, nowMs);
  if (previous !== undefined && app.verify(headers, raw, previous, nowMs).ok) {
    return { ok: true, signedWith: 'previous' };
  }
  return current;
}
