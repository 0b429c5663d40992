import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One request as the emulator saw it, with the answer it gave. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The body after gzip decoding, as text. */
  body: string;
  receivedAt: number;
  /** When the answer was written (after any response delay); absent while none was. */
  answeredAt?: number;
  status: number;
  responseBody: string;
  /** The answer came from an injected failure, not from validation. */
  injected: boolean;
}

/** What a handler asks the emulator to answer. */
export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON, strings as text/plain, Buffers as they are, undefined as no body. */
  body?: unknown;
}

/** The request handed to a destination's handler. */
export interface EmulatorRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** Size of the body on the wire before decompression, and after. */
  rawBytes: number;
  bytes: number;
}

/** A failure to inject instead of the emulator's normal answer. */
export type Failure =
  | { status: number; retryAfterSeconds?: number; body?: unknown }
  /** Accept the connection and never answer (until `holdMs`, then drop the socket). */
  | { timeout: true; holdMs?: number };

export interface EmulatorOptions {
  /** The clock the API's time rules use; tests pin it to make requests exact. */
  now?: () => number;
  /** Delay before every normal answer, to stand in for a real API's latency. */
  responseDelayMs?: number;
}

/**
 * A local stand-in for one vendor API: a node:http server on a free port that validates
 * requests like the real API, answers with its status codes and bodies, records everything it
 * received, and can be told to fail.
 */
export abstract class Emulator {
  /** Every request received, in order, including rejected and failed ones. */
  readonly requests: RecordedRequest[] = [];
  protected readonly now: () => number;
  private responseDelayMs: number;
  private server: Server | undefined;
  private url: string | undefined;
  private failures: { remaining: number; until: number; failure: Failure }[] = [];
  private readonly held = new Set<ServerResponse>();

  constructor(options: EmulatorOptions = {}) {
    this.now = options.now ?? Date.now;
    this.responseDelayMs = options.responseDelayMs ?? 0;
  }

  /** Changes the delay before every normal answer (0 = answer at once). */
  setResponseDelay(ms: number): void {
    this.responseDelayMs = ms;
  }

  /** Answers one request that got past failure injection. */
  protected abstract handle(request: EmulatorRequest): EmulatorResponse;

  /** Forgets what the API accepted (requests and destination-specific stores). */
  protected abstract clearAccepted(): void;

  async start(port = 0, host = '127.0.0.1'): Promise<this> {
    const server = createServer((req, res) => void this.serve(req, res));
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    this.server = server;
    this.url = `http://${host}:${address.port}`;
    return this;
  }

  /** `http://127.0.0.1:<port>`: put it in the destination's base URL setting. */
  get baseUrl(): string {
    if (!this.url) throw new Error('emulator not started');
    return this.url;
  }

  /** The next `count` requests get `failure` instead of their normal answer. */
  failNext(count: number, failure: Failure): void {
    this.failures.push({ remaining: count, until: Infinity, failure });
  }

  /** Every request in the next `ms` milliseconds gets `failure`. */
  failFor(ms: number, failure: Failure): void {
    this.failures.push({ remaining: Infinity, until: Date.now() + ms, failure });
  }

  /** Stops injecting failures. */
  clearFailures(): void {
    this.failures = [];
  }

  /** Forgets received requests, accepted data and failures. */
  reset(): void {
    this.requests.length = 0;
    this.clearFailures();
    this.clearAccepted();
  }

  async close(): Promise<void> {
    for (const res of this.held) res.socket?.destroy();
    this.held.clear();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://emulator');
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: '',
      receivedAt: Date.now(),
      status: 0,
      responseBody: '',
      injected: false,
    };
    this.requests.push(record);

    const failure = this.takeFailure();
    if (failure && 'timeout' in failure) {
      record.injected = true;
      this.held.add(res);
      res.on('close', () => this.held.delete(res));
      if (failure.holdMs !== undefined) setTimeout(() => res.socket?.destroy(), failure.holdMs).unref();
      return;
    }
    if (failure) {
      record.injected = true;
      const headers: Record<string, string> =
        failure.retryAfterSeconds !== undefined ? { 'retry-after': String(failure.retryAfterSeconds) } : {};
      this.reply(res, record, { status: failure.status, headers, body: failure.body ?? { error: 'injected failure' } });
      return;
    }

    let body: Buffer = raw;
    if (req.headers['content-encoding'] === 'gzip') {
      try {
        body = gunzipSync(raw);
      } catch {
        this.reply(res, record, { status: 400, body: { error: 'invalid gzip body' } });
        return;
      }
    }
    record.body = body.toString('utf8');
    let response: EmulatorResponse;
    try {
      response = this.handle({
        method: record.method,
        path: record.path,
        query: url.searchParams,
        headers: req.headers,
        body: record.body,
        rawBytes: raw.length,
        bytes: body.length,
      });
    } catch (error) {
      response = { status: 500, body: { error: error instanceof Error ? error.message : String(error) } };
    }
    if (this.responseDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.responseDelayMs));
    this.reply(res, record, response);
  }

  private takeFailure(): Failure | undefined {
    const now = Date.now();
    this.failures = this.failures.filter((f) => f.remaining > 0 && f.until > now);
    const current = this.failures[0];
    if (!current) return undefined;
    current.remaining--;
    return current.failure;
  }

  private reply(res: ServerResponse, record: RecordedRequest, response: EmulatorResponse): void {
    const headers: Record<string, string> = { ...response.headers };
    if (Buffer.isBuffer(response.body)) {
      // Binary answers (an image): sent as is, recorded by size.
      record.status = response.status;
      record.responseBody = `<${response.body.length} bytes>`;
      record.answeredAt = Date.now();
      res.writeHead(response.status, headers);
      res.end(response.body);
      return;
    }
    let text = '';
    if (typeof response.body === 'string') {
      text = response.body;
      headers['content-type'] ??= 'text/plain; charset=utf-8';
    } else if (response.body !== undefined) {
      text = JSON.stringify(response.body);
      headers['content-type'] ??= 'application/json';
    }
    record.status = response.status;
    record.responseBody = text;
    record.answeredAt = Date.now();
    res.writeHead(response.status, headers);
    res.end(text);
  }
}

/** The JSON value of a body, or undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The media type of a request, without parameters, lower case. */
export function mediaType(headers: IncomingHttpHeaders): string {
  return (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Username and password of a Basic Authorization header, or undefined. */
export function basicCredentials(headers: IncomingHttpHeaders): { username: string; password: string } | undefined {
  const match = /^Basic\s+(.+)$/i.exec(headers.authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1
    ? { username: decoded, password: '' }
    : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
