import { Agent, interceptors, type Dispatcher } from 'undici';
import type { HttpResponseInfo, RequestDescriptor } from '@manifold/destination-kit';

export interface HttpSenderOptions {
  /** Longest wait for the answer's headers, and then between two chunks of its body. */
  timeoutMs: number;
  /** Keep-alive connections per origin. */
  connectionsPerOrigin: number;
  /** Most of a response body kept (the classifiers and dead letters need only the start). */
  maxBodyBytes?: number;
}

/**
 * Sends request descriptors as they are (their body is the exact bytes signatures cover) over
 * one undici Agent, which keeps a keep-alive connection pool per origin. It dispatches with a
 * minimal handler instead of `request()`: no response stream per request, which is most of
 * the HTTP client's cost at thousands of requests a second.
 */
export class HttpSender {
  private readonly agent: Agent;
  private readonly dispatcher: Dispatcher;
  private readonly maxBodyBytes: number;

  constructor(private readonly options: HttpSenderOptions) {
    this.agent = new Agent({
      connections: options.connectionsPerOrigin,
      keepAliveTimeout: 30_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    // Redirects are followed, as Segment does (a 307 keeps the method and body).
    this.dispatcher = this.agent.compose(interceptors.redirect({ maxRedirections: 3 }));
    this.maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  }

  /** The destination's answer; rejects when there is none (invalid URL, network error, timeout). */
  send(descriptor: RequestDescriptor): Promise<HttpResponseInfo> {
    return new Promise((resolve, reject) => {
      let url: URL;
      try {
        url = new URL(descriptor.url);
      } catch (error) {
        reject(error);
        return;
      }
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
        this.dispatcher.dispatch(
          {
            origin: url.origin,
            path: `${url.pathname}${url.search}`,
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

  async close(): Promise<void> {
    await this.agent.close();
  }
}
