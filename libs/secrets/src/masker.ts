/** What every read, record, trace and log shows in place of a secret. */
export const SECRET_MASK = '********';

/**
 * Secrets shorter than this are not searched for in free text (bodies, messages): a 3-character
 * "secret" would mask every occurrence of a common word and protects nothing. Where a short
 * secret is a whole header value, query value or path segment it is still masked there.
 */
const MIN_TEXT_SECRET = 4;
/** URL parts (query values, path tokens) are masked in free text only from this length on. */
const MIN_TEXT_URL_PART = 8;

/** Header names whose values are credentials whatever they hold. */
const CREDENTIAL_HEADER =
  /^(authorization|proxy-authorization|cookie|set-cookie)$|token|secret|key|passw|auth|session|signature|credential/i;
/** Header names already tested against CREDENTIAL_HEADER (requests carry a few, every time). */
const credentialHeaderNames = new Map<string, boolean>();
const MAX_HEADER_NAMES = 1000;
/** Query parameter names whose values are credentials whatever they hold. */
const CREDENTIAL_PARAM = /secret|token|key|passw|pwd|auth|signature|session|credential/i;
/** A URL's userinfo (`scheme://user:pass@`) inside free text. */
const USERINFO_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>\\]+@/gi;
/** Runs that may be base64 (standard or URL-safe): Basic auth tokens and the like. */
const BASE64_RUN = /[A-Za-z0-9+/_-]{8,}={0,2}/g;

/**
 * Masks known secrets wherever they appear, in every form a request may carry them: as is,
 * URL-encoded (path, query, form bodies), JSON-escaped, base64 (Basic auth) — and, whatever the
 * secrets, URL userinfo and the values of credential-named headers and query parameters.
 *
 * `secrets` are masked everywhere; `urlParts` (the credential-looking parts of URL settings,
 * see `urlCredentials`) wherever they are a whole path segment, query value or header value,
 * and in free text when long enough to be a credential rather than a word.
 */
export class SecretMasker {
  /** Masks only by the rules that need no secrets (userinfo, credential-named fields). */
  static readonly generic = new SecretMasker([]);

  private readonly exact: Set<string>;
  /** Every form of every secret to look for in free text, longest first. */
  private readonly forms: string[];
  /** Plain secrets to look for in decoded base64 runs. */
  private readonly plain: string[];
  /** Length of the longest form: how far past a cut a secret may reach. */
  readonly longest: number;

  constructor(secrets: Iterable<string>, urlParts: Iterable<string> = []) {
    const whole = [...new Set(secrets)].filter((s) => s !== '');
    const parts = [...new Set(urlParts)].filter((s) => s !== '');
    this.exact = new Set([...whole, ...parts]);
    this.plain = [
      ...whole.filter((s) => s.length >= MIN_TEXT_SECRET),
      ...parts.filter((s) => s.length >= MIN_TEXT_URL_PART),
    ];
    this.forms = [...new Set(this.plain.flatMap(encodedForms))]
      .filter((f) => f.length >= MIN_TEXT_SECRET)
      .sort((a, b) => b.length - a.length);
    this.longest = this.forms[0]?.length ?? 0;
  }

  /** Free text (a body, an error message) with every known secret and URL userinfo masked. */
  text(text: string): string {
    let out = text;
    // Encoded runs first: a run that decodes to a secret goes whole (its base64 form may be a
    // prefix of the run, as in Basic auth's `secret:`), then each known form of each secret.
    if (this.plain.length > 0) {
      out = out.replace(BASE64_RUN, (run) => (this.hidesSecret(decodeBase64(run)) ? SECRET_MASK : run));
    }
    for (const form of this.forms) if (out.includes(form)) out = out.split(form).join(SECRET_MASK);
    return out.replace(USERINFO_IN_TEXT, `$1${SECRET_MASK}@`);
  }

  /**
   * At most `maxChars` of masked text (with `…` when cut). Masks before cutting, over a window
   * long enough that no secret starting before the cut is left half-unmasked.
   */
  excerpt(text: string, maxChars: number): string {
    const window = text.length > maxChars ? text.slice(0, maxChars + Math.max(1024, 4 * this.longest)) : text;
    const masked = this.text(window);
    return masked.length <= maxChars && window.length === text.length ? masked : `${masked.slice(0, maxChars)}…`;
  }

  /**
   * A URL with its userinfo masked, query values masked when their name says credential or
   * they hold a secret, and path segments masked when they hold a secret.
   */
  url(raw: string): string {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return this.text(raw);
    }
    if (!url.host) return this.text(raw);
    const userinfo = url.username || url.password ? `${SECRET_MASK}@` : '';
    const path = url.pathname
      .split('/')
      .map((segment) => (this.holdsSecret(decode(segment)) ? SECRET_MASK : segment))
      .join('/');
    const query = url.search
      ? `?${url.search
          .slice(1)
          .split('&')
          .map((pair) => {
            const at = pair.indexOf('=');
            if (at < 0) return this.holdsSecret(decodeForm(pair)) ? SECRET_MASK : pair;
            const name = pair.slice(0, at);
            const value = decodeForm(pair.slice(at + 1));
            return CREDENTIAL_PARAM.test(decodeForm(name)) || this.holdsSecret(value) ? `${name}=${SECRET_MASK}` : pair;
          })
          .join('&')}`
      : '';
    return this.text(`${url.protocol}//${userinfo}${url.host}${path}${query}${url.hash}`);
  }

  /** Header values masked when the name says credential or the value holds a secret. */
  headers(headers: Readonly<Record<string, string | readonly string[] | undefined>>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, raw] of Object.entries(headers)) {
      if (raw === undefined) continue;
      const value = typeof raw === 'string' ? raw : raw.join(', ');
      out[name] = SecretMasker.isCredentialHeader(name) || this.holdsSecret(value) ? SECRET_MASK : this.text(value);
    }
    return out;
  }

  /**
   * True when a header's value is masked whatever it holds (its name says credential): callers
   * that remember masked requests may then leave the value out of what they compare.
   */
  static isCredentialHeader(name: string): boolean {
    let credential = credentialHeaderNames.get(name);
    if (credential === undefined) {
      credential = CREDENTIAL_HEADER.test(name);
      if (credentialHeaderNames.size >= MAX_HEADER_NAMES) credentialHeaderNames.clear();
      credentialHeaderNames.set(name, credential);
    }
    return credential;
  }

  /** True when the value is a secret or URL part, or contains a secret long enough to search for. */
  private holdsSecret(value: string): boolean {
    if (this.exact.has(value)) return true;
    return this.plain.some((secret) => value.includes(secret));
  }

  private hidesSecret(decoded: string | undefined): boolean {
    return decoded !== undefined && this.plain.some((secret) => decoded.includes(secret));
  }
}

/** The forms a secret takes in requests: as is, URL-encoded, form-encoded, JSON-escaped, base64. */
function encodedForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams([['', secret]]).toString().slice(1),
    JSON.stringify(secret).slice(1, -1),
    bytes.toString('base64'),
    bytes.toString('base64').replace(/=+$/, ''),
    bytes.toString('base64url'),
  ];
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function decodeForm(text: string): string {
  return decode(text.replace(/\+/g, ' '));
}

/** The text a base64 run decodes to, when it decodes to text at all. */
function decodeBase64(run: string): string | undefined {
  const text = Buffer.from(run, 'base64').toString('utf8');
  return text.includes('\uFFFD') ? undefined : text;
}
