import { SECRET_MASK, SecretMasker } from './masker';

/** A path segment that reads as a word (hooks, services, api), not as an id or a token. */
const PLAIN_SEGMENT = /^[a-z][a-z._-]{0,19}$/;

/**
 * The parts of a URL that may be credentials: userinfo, every query value, and every path
 * segment that is not a plain lower-case word (ids and tokens such as Slack's
 * `/services/T0/B0/XXXX` or Discord's `/api/webhooks/<id>/<token>`). Decoded.
 */
export function urlCredentials(raw: string): string[] {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return [raw];
  }
  const parts = [url.username, url.password].map(decode);
  for (const value of url.searchParams.values()) parts.push(value);
  for (const segment of url.pathname.split('/')) {
    const decoded = decode(segment);
    if (decoded !== '' && !PLAIN_SEGMENT.test(decoded)) parts.push(decoded);
  }
  return parts.filter((part) => part !== '');
}

/** How a URL setting is shown back: its credential parts masked (see `urlCredentials`). */
export function maskUrlSetting(raw: string): string {
  const parts = urlCredentials(raw);
  if (parts.length === 0) return raw;
  const masked = new SecretMasker([], parts).url(raw);
  // A credential the URL rules did not reach (an unparsable URL with a short secret) hides it all.
  return parts.some((part) => masked.includes(part) && part.length >= 4) ? SECRET_MASK : masked;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
