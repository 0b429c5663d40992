import { SecretMasker } from '@manifold/secrets';
import type { Exchange } from '../pipeline/task';

/** Answers with longer bodies are not keyed: they are masked each time rather than remembered. */
const KEYED_BODY_CHARS = 512;

/**
 * What decides how an exchange reads once traced without its request body, as one string: the
 * request line and headers, the answer's status and body (and its headers unless it is a 2xx,
 * whose headers the trace leaves out), the error. Header values masked whatever they hold
 * (credential-named: a signature, a token) are left out, so requests that differ only there share
 * a key. `scope` tells the instances' credentials apart (the same request masks differently with
 * other secrets). Undefined for an answer body too long to be worth remembering.
 *
 * The key holds unmasked values: it is compared in memory, never stored or shown.
 */
export function bodilessExchangeKey(exchange: Exchange, scope: number): string | undefined {
  const { request, response } = exchange;
  let key = `${scope} ${request.method} ${request.url}`;
  for (const name in request.headers) {
    const value: string | undefined = request.headers[name];
    // As the masker does: a header without a value is not sent, nor shown.
    if (value === undefined) continue;
    // Lengths make the key unambiguous whatever a value holds.
    key += SecretMasker.isCredentialHeader(name) ? `\n${name}` : `\n${name}:${value.length}:${value}`;
  }
  if (response) {
    if (response.body.length > KEYED_BODY_CHARS) return undefined;
    key += `\n\n${response.status}:${response.body.length}:${response.body}`;
    if (response.status < 200 || response.status >= 300) key += JSON.stringify(response.headers);
  }
  if (exchange.error !== undefined) key += `\n\n!${exchange.error}`;
  return key;
}

/**
 * Whether two exchanges built with the same credentials read the same once traced without their
 * request body: what `bodilessExchangeKey` compares, compared in place (no key string to build
 * and hash), for the common case of an instance's exchange reading like its previous one. Header
 * order aside, it holds exactly when their keys are equal.
 */
export function readSameBodiless(a: Exchange, b: Exchange): boolean {
  if (a.error !== b.error) return false;
  const ra = a.request;
  const rb = b.request;
  if (ra.method !== rb.method || ra.url !== rb.url || !sameHeaders(ra.headers, rb.headers)) return false;
  const pa = a.response;
  const pb = b.response;
  if (!pa || !pb) return pa === pb;
  if (pa.status !== pb.status || pa.body !== pb.body || pa.body.length > KEYED_BODY_CHARS) return false;
  return (pa.status >= 200 && pa.status < 300) || JSON.stringify(pa.headers) === JSON.stringify(pb.headers);
}

/** The same headers, credential-named ones compared by name only (as the key leaves their values out). */
function sameHeaders(a: Record<string, string | undefined>, b: Record<string, string | undefined>): boolean {
  if (a === b) return true;
  let count = 0;
  for (const name in a) {
    const value = a[name];
    if (value === undefined) continue;
    const other = b[name];
    if (other === undefined || (value !== other && !SecretMasker.isCredentialHeader(name))) return false;
    count++;
  }
  for (const name in b) if (b[name] !== undefined) count--;
  return count === 0;
}
