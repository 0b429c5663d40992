import { settingSecrets, settingsMasker, SecretMasker, type SettingSecrets } from '@manifold/secrets';
import { z } from 'zod';
import type { ResponseOutcome } from './classify';
import type { DestinationDefinition, DestinationSettingsSchema } from './definition';
import type { RequestDescriptor } from './request';

/** A request as it may be stored or shown: every credential of its instance masked. */
export interface MaskedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The body, masked (cut to `bodyChars` when asked, with `…`). */
  body?: string;
}

const secretsByDestination = new WeakMap<DestinationDefinition, SettingSecrets>();
const maskerBySettings = new WeakMap<object, SecretMasker>();
/** The masker of the settings each request was built from: set by the kit, read by `maskRequest`. */
const maskerByRequest = new WeakMap<RequestDescriptor, () => SecretMasker>();

/** Which settings of a destination hold credentials (derived once from its settings schema). */
export function destinationSecrets<S extends DestinationSettingsSchema>(
  destination: DestinationDefinition<S>,
): SettingSecrets {
  const key = destination as unknown as DestinationDefinition;
  let secrets = secretsByDestination.get(key);
  if (!secrets) {
    secrets = settingSecrets(z.toJSONSchema(destination.settings, { io: 'input' }));
    secretsByDestination.set(key, secrets);
  }
  return secrets;
}

/** Masks every credential of one instance's settings (cached per parsed settings object). */
export function secretMasker<S extends DestinationSettingsSchema>(
  destination: DestinationDefinition<S>,
  settings: z.output<S>,
): SecretMasker {
  const key = settings as object;
  let masker = maskerBySettings.get(key);
  if (!masker) {
    masker = settingsMasker(settings as Record<string, unknown>, destinationSecrets(destination));
    maskerBySettings.set(key, masker);
  }
  return masker;
}

/**
 * Remembers which settings `requests` were built from, so that whoever stores or shows one later
 * (dead letters, traces, the delivery view) masks that instance's credentials without having to
 * carry the settings along. Nothing is copied: the masker is built on first use.
 */
export function rememberSettings<S extends DestinationSettingsSchema>(
  requests: RequestDescriptor[],
  destination: DestinationDefinition<S>,
  settings: z.output<S>,
): RequestDescriptor[] {
  // Kept once built: traces ask for the masker of every request.
  let built: SecretMasker | undefined;
  const masker = (): SecretMasker => (built ??= secretMasker(destination, settings));
  for (const request of requests) maskerByRequest.set(request, masker);
  return requests;
}

/** The masker for a request built by the kit; for any other request, the rules that need no secrets. */
export function maskerOf(request: RequestDescriptor): SecretMasker {
  return maskerByRequest.get(request)?.() ?? SecretMasker.generic;
}

/** Masked URLs per masker: an instance sends to a few URLs, and parsing one costs microseconds (traces mask every request). */
const maskedUrls = new WeakMap<SecretMasker, Map<string, string>>();
const MAX_URLS_PER_MASKER = 1000;

function maskedUrl(masker: SecretMasker, url: string): string {
  let urls = maskedUrls.get(masker);
  if (!urls) maskedUrls.set(masker, (urls = new Map()));
  let masked = urls.get(url);
  if (masked === undefined) {
    masked = masker.url(url);
    if (urls.size >= MAX_URLS_PER_MASKER) urls.clear();
    urls.set(url, masked);
  }
  return masked;
}

/**
 * The one way to turn a request into something stored or displayed (dead letters, retry
 * records, traces, logs, error samples): URL, headers and body with every secret setting of the
 * instance masked wherever and however it appears (URL-encoded, JSON-escaped, base64 as in Basic
 * auth), URL userinfo and credential-named headers and query parameters always.
 */
export function maskRequest(
  request: RequestDescriptor,
  options: { masker?: SecretMasker; bodyChars?: number } = {},
): MaskedRequest {
  const masker = options.masker ?? maskerOf(request);
  const { body } = request;
  return {
    method: request.method,
    url: maskedUrl(masker, request.url),
    headers: masker.headers(request.headers),
    ...(body !== undefined
      ? { body: options.bodyChars === undefined ? masker.text(body) : masker.excerpt(body, options.bodyChars) }
      : {}),
  };
}

/** An outcome whose message or reason (which may quote the API's answer) has the request's credentials masked. */
export function maskOutcome(outcome: ResponseOutcome, masker: SecretMasker): ResponseOutcome {
  switch (outcome.kind) {
    case 'per-item':
      return outcome.items.every((item) => item.kind === 'delivered')
        ? outcome
        : { kind: 'per-item', items: outcome.items.map((item) => maskOutcome(item, masker) as typeof item) };
    case 'dead-letter':
      return { ...outcome, message: masker.text(outcome.message) };
    case 'retry':
      return { ...outcome, reason: masker.text(outcome.reason) };
    default:
      return outcome;
  }
}
