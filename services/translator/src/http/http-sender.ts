import { Agent, request } from 'undici';
import type { HttpResponseInfo, RequestDescriptor } from '@manifold/destination-kit';

export interface HttpSenderOptions {
  /** Longest wait for the whole answer (headers and body). */
  timeoutMs: number;
  /** Keep-alive connections per origin. */
  connectionsPerOrigin: number;
  /** Most of a response body kept (the classifiers and dead letters need only the start). */
  maxBodyBytes?: number;
}

/**
 * Sends request descriptors as they are (their body is the exact bytes signatures cover) over
 * one undici Agent, which keeps a keep-alive connection pool per origin.
 */
export class HttpSender {
  private readonly agent: Agent;

  constructor(private readonly options: HttpSenderOptions) {
    this.agent = new Agent({
      connections: options.connectionsPerOrigin,
      keepAliveTimeout: 30_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  /** The destination's answer; throws when there is none (network error, timeout). */
  async send(descriptor: RequestDescriptor): Promise<HttpResponseInfo> {
    const response = await request(descriptor.url, {
      dispatcher: this.agent,
      method: descriptor.method,
      headers: descriptor.headers,
      ...(descriptor.body !== undefined ? { body: descriptor.body } : {}),
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    const body = await readText(response.body, this.options.maxBodyBytes ?? 64 * 1024);
    return { status: response.statusCode, headers: response.headers, body };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

async function readText(body: AsyncIterable<Buffer> & { destroy(): void }, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= maxBytes) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}
