import { createHmac } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { WebhookEmulator } from './index';
import { json, send } from './test-http';

describe('Emulator base (through the webhook emulator)', () => {
  let hook: WebhookEmulator;
  beforeEach(async () => {
    hook = await new WebhookEmulator().start();
  });
  afterEach(() => hook.close());

  it('listens on a free port and records every request', async () => {
    expect(hook.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await send(`${hook.baseUrl}/hook?a=1`, json({ type: 'track' }));
    expect(response.status).toBe(200);
    expect(hook.requests).toHaveLength(1);
    expect(hook.requests[0]).toMatchObject({
      method: 'POST',
      path: '/hook',
      query: { a: '1' },
      status: 200,
      injected: false,
    });
    expect(hook.deliveries.map((d) => d.body)).toEqual([{ type: 'track' }]);
  });

  it('fails the next N requests with a status and Retry-After, then recovers', async () => {
    hook.failNext(2, { status: 429, retryAfterSeconds: 3 });
    const first = await send(hook.baseUrl, json({ n: 1 }));
    expect(first.status).toBe(429);
    expect(first.headers['retry-after']).toBe('3');
    expect((await send(hook.baseUrl, json({ n: 2 }))).status).toBe(429);
    expect((await send(hook.baseUrl, json({ n: 3 }))).status).toBe(200);
    expect(hook.deliveries.map((d) => d.body)).toEqual([{ n: 3 }]);
    expect(hook.requests.map((r) => r.injected)).toEqual([true, true, false]);
  });

  it('fails for a period', async () => {
    hook.failFor(300, { status: 503 });
    expect((await send(hook.baseUrl, json({}))).status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await send(hook.baseUrl, json({}))).status).toBe(200);
  });

  it('times out: holds requests without answering', async () => {
    hook.failNext(1, { timeout: true });
    await expect(send(hook.baseUrl, { ...json({}), timeoutMs: 200 })).rejects.toMatchObject({
      code: 'UND_ERR_HEADERS_TIMEOUT',
    });
    expect((await send(hook.baseUrl, json({}))).status).toBe(200);
  });

  it('answers after the configured delay', async () => {
    hook.setResponseDelay(150);
    const started = Date.now();
    expect((await send(hook.baseUrl, json({}))).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    // It records when it answered, so a test can measure latency to the answer.
    const last = hook.requests.at(-1)!;
    expect(last.answeredAt! - last.receivedAt).toBeGreaterThanOrEqual(140);
    hook.setResponseDelay(0);
  });

  it('decodes gzip bodies and resets', async () => {
    const body = gzipSync(JSON.stringify({ zipped: true }));
    const response = await send(hook.baseUrl, {
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body,
    });
    expect(response.status).toBe(200);
    expect(hook.deliveries[0]?.body).toEqual({ zipped: true });
    hook.reset();
    expect(hook.requests).toEqual([]);
    expect(hook.deliveries).toEqual([]);
  });
});

describe('WebhookEmulator', () => {
  const secret = 's3cret';
  const sign = (text: string) => createHmac('sha1', secret).update(text).digest('hex');
  let hook: WebhookEmulator;
  beforeAll(async () => {
    hook = await new WebhookEmulator({ sharedSecret: secret, requiredHeaders: { 'X-Team': 'blue' } }).start();
  });
  afterAll(() => hook.close());

  it('accepts a signed single event and a batch signed over its first element', async () => {
    const single = JSON.stringify({ type: 'track', event: 'A' });
    expect(
      (
        await send(hook.baseUrl, {
          headers: { 'content-type': 'application/json', 'x-team': 'blue', 'x-signature': sign(single) },
          body: single,
        })
      ).status,
    ).toBe(200);
    const batch = [
      { type: 'track', event: 'A' },
      { type: 'track', event: 'B' },
    ];
    const response = await send(hook.baseUrl, {
      headers: { 'content-type': 'application/json', 'x-team': 'blue', 'x-signature': sign(JSON.stringify(batch[0])) },
      body: JSON.stringify(batch),
    });
    expect(response.status).toBe(200);
  });

  it.each([
    [
      'a wrong signature',
      { 'content-type': 'application/json', 'x-team': 'blue', 'x-signature': 'abc' },
      'POST',
      '{"a":1}',
      401,
    ],
    ['no signature', { 'content-type': 'application/json', 'x-team': 'blue' }, 'POST', '{"a":1}', 401],
    ['a missing configured header', { 'content-type': 'application/json' }, 'POST', '{"a":1}', 401],
    ['GET', { 'x-team': 'blue' }, 'GET', undefined, 405],
    ['text/plain', { 'content-type': 'text/plain', 'x-team': 'blue' }, 'POST', '{"a":1}', 415],
    ['a body that is not JSON', { 'content-type': 'application/json', 'x-team': 'blue' }, 'POST', 'nope', 400],
  ])('rejects %s', async (_name, headers, method, body, status) => {
    const response = await send(hook.baseUrl, { method, headers, ...(body !== undefined ? { body } : {}) });
    expect(response.status).toBe(status);
  });

  it('signs over the exact body bytes: re-serialised JSON with other spacing fails', async () => {
    const compact = JSON.stringify({ a: 1 });
    const response = await send(hook.baseUrl, {
      headers: { 'content-type': 'application/json', 'x-team': 'blue', 'x-signature': sign(compact) },
      body: JSON.stringify({ a: 1 }, null, 2),
    });
    expect(response.status).toBe(401);
  });
});
