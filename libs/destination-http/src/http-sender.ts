import { Agent, type Dispatcher } from 'undici';
import type { HttpResponseInfo, RequestDescriptor } from '@manifold/destination-kit';
import type { AddressPolicy } from './address-policy';
import { MAX_REDIRECTIONS, redirectedRequest } from './redirects';

export interface HttpSenderOptions {
  /** Longest wait for the answer's headers, and then between two chunks of its body. */
  timeoutMs: number;
  /** Keep-alive connections per origin. */
  connectionsPerOrigin: number;
  /** Most of a response body kept (the classifiers and dead letters need only the start). */
  maxBodyBytes?: number;
  /** Addresses requests may not reach (BlockedAddressError); none blocked when absent. */
  addressPolicy?: AddressPolicy;
}

/** Parsed URLs kept: destinations send to a handful of URLs each, so this is never reached in practice. */
const MAX_CACHED_URLS = 1000;

interface Target {
  url: URL;
  origin: string;
  path: string;
}

/**
 * Sends request descriptors as they are (their body is the exact bytes signatures cover) over
 * one undici Agent, which keeps a keep-alive connection pool per origin. It dispatches with a
 * minimal handler instead of `request()`: no response stream per request, which is most of
 * the HTTP client's cost at thousands of requests a second. For the same reason it follows
 * redirects itself, only when one comes, rather than through undici's interceptor, which wraps
 * every request in a redirect handler; and it parses each URL once.
 */
export class HttpSender {
  private readonly agent: Agent;
  private readonly maxBodyBytes: number;
  private readonly urls = new Map<string, Target>();

  constructor(private readonly options: HttpSenderOptions) {
    this.agent = new Agent({
      connections: options.connectionsPerOrigin,
      keepAliveTimeout: 30_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      ...(options.addressPolicy ? { connect: { lookup: options.addressPolicy.lookup } } : {}),
    });
    this.maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  }

  /**
   * The destination's answer, after up to three redirects (as Segment follows them); rejects when
   * there is none (invalid URL, network error, timeout).
   */
  async send(descriptor: RequestDescriptor): Promise<HttpResponseInfo> {
    let current = descriptor;
    for (let redirects = 0; ; redirects += 1) {
      const target = this.target(current.url);
      const response = await this.sendOnce(current, target);
      if (redirects === MAX_REDIRECTIONS) return response;
      const next = redirectedRequest(current, target.url, response.status, response.headers.location);
      if (!next) return response;
      current = next;
    }
  }

  private target(href: string): Target {
    let target = this.urls.get(href);
    if (!target) {
      const url = new URL(href);
      // An IP literal is connected to without a lookup: checked here, once per URL (redirects
      // included); a blocked one is never cached, so it is refused each time.
      this.options.addressPolicy?.checkHost(url.hostname);
      target = { url, origin: url.origin, path: `${url.pathname}${url.search}` };
      if (this.urls.size >= MAX_CACHED_URLS) this.urls.clear();
      this.urls.set(href, target);
    }
    return target;
  }

  private sendOnce(descriptor: RequestDescriptor, target: Target): Promise<HttpResponseInfo> {
    return new Promise((resolve, reject) => {
      const max = this.maxBodyBytes;
      const chunks: Buffer[] = [];
      let size = 0;
      let status = 0;
      let headers: HttpResponseInfo['headers'] = {};
      const handler: Dispatcher.DispatchHandler = {
        // Its presence selects undici's controller-style handler API.
        onRequestStart() {},
        onResponseStart(_controller, statusCode, responseHeaders) {
          status = statusCode;
          headers = responseHeaders;
        },
        onResponseData(_controller, chunk) {
          if (size >= max) return;
          chunks.push(chunk);
          size += chunk.length;
        },
        onResponseEnd() {
          const body = Buffer.concat(chunks, size);
          resolve({ status, headers, body: (size > max ? body.subarray(0, max) : body).toString('utf8') });
        },
        onResponseError(_controller, error) {
          reject(error);
        },
      };
      try {
        this.agent.dispatch(
          {
            origin: target.origin,
            path: target.path,
            method: descriptor.method,
            headers: descriptor.headers,
            body: descriptor.body ?? null,
          },
          handler,
        );
      } catch (error) {
        reject(error);
      }
    });
  }

  /** The addresses its requests may not reach: a destination's own transport (Kafka) goes by it too. */
  get addressPolicy(): AddressPolicy | undefined {
    return this.options.addressPolicy;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
