import { createHmac, timingSafeEqual } from 'node:crypto';

// How each app signs its deliveries: an HMAC-SHA256 of the exact bytes received (never of JSON
// parsed and written again), compared in constant time. Each check says why it refused, for the
// debugger; a refusal never quotes the secret or the expected signature.

/** Stripe's default tolerance between its timestamp and our clock, both ways. */
export const STRIPE_TOLERANCE_SECONDS = 300;

export type Verdict = { ok: true } | { ok: false; reason: string };

const OK: Verdict = { ok: true };
const refuse = (reason: string): Verdict => ({ ok: false, reason });

function hmac(secret: string, ...parts: Array<string | Buffer>): Buffer {
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** Constant time for equal lengths; a different length is no match (and says nothing of the secret). */
function sameBytes(expected: Buffer, given: Buffer): boolean {
  return expected.length === given.length && timingSafeEqual(expected, given);
}

const HEX = /^[0-9a-f]+$/i;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]`: the HMAC of `<t>.<body>`. Any `v1`
 * may match (Stripe sends one per valid secret while one is rolled); `v0` entries are ignored.
 */
export function verifyStripe(header: string | undefined, body: Buffer, secret: string, nowMs: number): Verdict {
  if (!header) return refuse('the Stripe-Signature header is missing');
  let timestamp: string | undefined;
  const signatures: string[] = [];
  for (const item of header.split(',')) {
    const at = item.indexOf('=');
    if (at < 0) continue;
    const name = item.slice(0, at).trim();
    const value = item.slice(at + 1).trim();
    if (name === 't') timestamp = value;
    else if (name === 'v1') signatures.push(value);
  }
  if (timestamp === undefined || !/^\d+$/.test(timestamp))
    return refuse('the Stripe-Signature header has no timestamp');
  if (signatures.length === 0) return refuse('the Stripe-Signature header has no v1 signature');
  const age = Math.abs(nowMs / 1000 - Number(timestamp));
  if (age > STRIPE_TOLERANCE_SECONDS) {
    return refuse(
      `the Stripe-Signature timestamp is ${Math.round(age)} s away from now (at most ${STRIPE_TOLERANCE_SECONDS})`,
    );
  }
  const expected = hmac(secret, timestamp, '.', body);
  const matches = signatures.some((sig) => HEX.test(sig) && sameBytes(expected, Buffer.from(sig, 'hex')));
  return matches ? OK : refuse('no v1 signature of the Stripe-Signature header matches the body');
}

/** `X-Hub-Signature-256: sha256=<hex>`: the HMAC of the body. */
export function verifyGithub(header: string | undefined, body: Buffer, secret: string): Verdict {
  if (!header) return refuse('the X-Hub-Signature-256 header is missing');
  const prefix = 'sha256=';
  const hex = header.startsWith(prefix) ? header.slice(prefix.length) : '';
  if (!HEX.test(hex)) return refuse('the X-Hub-Signature-256 header is not sha256=<hex>');
  return sameBytes(hmac(secret, body), Buffer.from(hex, 'hex'))
    ? OK
    : refuse('the X-Hub-Signature-256 signature does not match the body');
}

/** `X-Shopify-Hmac-Sha256: <base64>`: the HMAC of the body. */
export function verifyShopify(header: string | undefined, body: Buffer, secret: string): Verdict {
  if (!header) return refuse('the X-Shopify-Hmac-Sha256 header is missing');
  const value = header.trim();
  if (!BASE64.test(value)) return refuse('the X-Shopify-Hmac-Sha256 header is not base64');
  return sameBytes(hmac(secret, body), Buffer.from(value, 'base64'))
    ? OK
    : refuse('the X-Shopify-Hmac-Sha256 signature does not match the body');
}

/**
 * Generic sources: `X-Signature-256: sha256=<hex>` (GitHub's form, which many tools copy), the
 * HMAC of the body.
 */
export function verifyGeneric(header: string | undefined, body: Buffer, secret: string): Verdict {
  if (!header) return refuse('the X-Signature-256 header is missing');
  const verdict = verifyGithub(header, body, secret);
  return verdict.ok ? verdict : refuse(verdict.reason.replace('X-Hub-Signature-256', 'X-Signature-256'));
}
