import { createServer } from 'node:net';
import { classifyNetworkError, translateEvent } from '@manifold/destination-kit';
import { WebhookEmulator } from '@manifold/emulators';
import { request } from 'undici';
import { webhook } from './index';
import { parsed, specEvent } from './test-support/harness';

// What undici really throws when a destination cannot be reached, read by the kit's classifier.

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function sendError(url: string, timeoutMs = 5000): Promise<unknown> {
  const settings = parsed(webhook, { url });
  const translation = translateEvent(webhook, specEvent({ type: 'track', event: 'x' }), settings);
  if (translation.kind !== 'requests' || !translation.requests[0]) throw new Error('no request');
  const { method, url: target, headers, body } = translation.requests[0];
  try {
    const response = await request(target, {
      method,
      headers,
      body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    await response.body.text();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('network failures', () => {
  it('a refused connection is retried', async () => {
    const error = await sendError(`http://127.0.0.1:${await closedPort()}/hook`);
    expect(classifyNetworkError(error)).toEqual({ kind: 'retry', reason: 'ECONNREFUSED' });
  });

  it('a destination that never answers is retried', async () => {
    const hook = await new WebhookEmulator().start();
    try {
      hook.failNext(1, { timeout: true });
      const error = await sendError(`${hook.baseUrl}/hook`, 200);
      expect(classifyNetworkError(error)).toEqual({ kind: 'retry', reason: 'UND_ERR_HEADERS_TIMEOUT' });
    } finally {
      await hook.close();
    }
  });

  it('a connection dropped mid-request is retried', async () => {
    const hook = await new WebhookEmulator().start();
    try {
      hook.failNext(1, { timeout: true, holdMs: 50 });
      const error = await sendError(`${hook.baseUrl}/hook`);
      expect(classifyNetworkError(error)).toMatchObject({
        kind: 'retry',
        reason: expect.stringMatching(/^(UND_ERR_SOCKET|ECONNRESET)$/),
      });
    } finally {
      await hook.close();
    }
  });
});
