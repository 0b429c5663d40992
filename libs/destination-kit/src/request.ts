// Request descriptors: what a destination wants sent, as plain data. The translator sends them
// with undici; tests compare them and post them to the emulators.

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestDescriptor {
  method: HttpMethod;
  url: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The exact bytes to send (signatures are computed over them), or undefined for no body. */
  body?: string;
  /**
   * For a request whose body is a JSON array built from several events (a batch, or one event fanned
   * out into several items): for each array element, the index of the event it came from, in the
   * order of the payloads given to the batch. Lets a per-item response be mapped back to events.
   */
  itemEvents?: number[];
  /**
   * For an API that refuses the same record twice in one request, a batch merges the events of one
   * record into one body item: then `itemEvents` lists every event, and this, for each of its
   * entries, the index of the body item carrying that event. The destination's classifier reads it
   * to answer each event with its item's outcome; nothing else does.
   */
  itemBodyIndex?: number[];
  /**
   * Set on a step of a multi-request flow whose answer decides what to send next (e.g. search a
   * contact, then update or create it). After a 2xx answer the translator calls `followUpRequests`
   * and sends what it returns, in order. Plain JSON, so it can be logged with the request.
   */
  followUp?: FollowUpStep;
}

/** Which step of a destination's flow a request is, and what the next step needs from the event. */
export interface FollowUpStep {
  step: string;
  state?: unknown;
  /**
   * The request adds to what the steps before it did (e.g. associating records after their
   * upsert) and its refusal for good undoes none of it: then the flow's outcome is that of its
   * last required step, and the destination's `followUp` is called with the refusal to record in
   * the events' notices what was left out (see `isOptionalStepRefusal`). A retryable answer still
   * retries the whole flow.
   */
  optional?: boolean;
}

/** What the translator saw of a response, enough for the classifiers. */
export interface HttpResponseInfo {
  status: number;
  /** Header names in lower case, as undici and node:http give them. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export const USER_AGENT = 'Manifold (Destinations)';

/** `base` + `path` with exactly one slash between, and the query appended (undefined values skipped). */
export function joinUrl(base: string, path: string, query: Record<string, string | undefined> = {}): string {
  const url = `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.append(key, value);
  const search = params.toString();
  return search ? `${url}?${search}` : url;
}

export function basicAuth(username: string, password = ''): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

export function jsonRequest(
  method: HttpMethod,
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): RequestDescriptor {
  return {
    method,
    url,
    headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...lowerCaseKeys(headers) },
    body: JSON.stringify(body),
  };
}

/** An `application/x-www-form-urlencoded` POST; object values are sent as JSON text. */
export function formRequest(
  url: string,
  fields: Record<string, unknown>,
  headers: Record<string, string> = {},
): RequestDescriptor {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    params.append(key, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return {
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': USER_AGENT,
      ...lowerCaseKeys(headers),
    },
    body: params.toString(),
  };
}

export function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) out[key.toLowerCase()] = value;
  return out;
}

/** A header's single value (first of several), case-insensitively. */
export function headerValue(headers: HttpResponseInfo['headers'], name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
