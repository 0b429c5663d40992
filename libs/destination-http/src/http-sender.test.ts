import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { classifyNetworkError } from '@manifold/destination-kit';
import { AddressPolicy, BlockedAddressError } from './address-policy';
import { HttpSender } from './http-sender';

describe('HttpSender', () => {
  let server: Server;
  let base: string;
  let otherOrigin: string;
  let blockedOrigin: string;
  let blockedServer: Server;
  const blockedSeen: string[] = [];
  const seen: Array<{ method: string; url: string; body: string; auth: string | undefined }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', body, auth: req.headers.authorization });
        if (req.url === '/moved') res.writeHead(307, { location: '/here' }).end();
        else if (req.url === '/see-other') res.writeHead(303, { location: '/here' }).end('see there');
        else if (req.url === '/elsewhere') res.writeHead(308, { location: `${otherOrigin}/here` }).end();
        else if (req.url === '/loop') res.writeHead(302, { location: '/loop' }).end();
        else if (req.url === '/to-blocked') res.writeHead(307, { location: `${blockedOrigin}/here` }).end();
        else if (req.url === '/silent')
          return; // never answers
        else if (req.url === '/big') res.writeHead(200).end('x'.repeat(100_000));
        else res.writeHead(201, { 'content-type': 'application/json', 'retry-after': '3' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The same server under another origin.
    otherOrigin = `http://localhost:${(server.address() as AddressInfo).port}`;
    // Another loopback address, which the blocking sender below may not reach.
    blockedServer = createServer((req, res) => {
      blockedSeen.push(req.url ?? '');
      res.writeHead(200).end('reached');
    });
    await new Promise<void>((resolve) => blockedServer.listen(0, '127.0.0.2', resolve));
    blockedOrigin = `http://127.0.0.2:${(blockedServer.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    blockedServer.closeAllConnections();
    await new Promise((resolve) => blockedServer.close(resolve));
  });

  const sender = new HttpSender({ timeoutMs: 500, connectionsPerOrigin: 4, maxBodyBytes: 1000 });
  afterAll(() => sender.close());

  it('sends the exact body and headers and returns status, lower-case headers and body', async () => {
    const response = await sender.send({
      method: 'PUT',
      url: `${base}/a?x=1`,
      headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
      body: '{"a":1}',
    });
    expect(response).toMatchObject({ status: 201, body: '{"ok":true}', headers: { 'retry-after': '3' } });
    expect(seen.at(-1)).toEqual({ method: 'PUT', url: '/a?x=1', body: '{"a":1}', auth: 'Bearer t' });
  });

  it('follows a 307 with the same method and body', async () => {
    const response = await sender.send({ method: 'POST', url: `${base}/moved`, headers: {}, body: 'payload' });
    expect(response.status).toBe(201);
    expect(seen.slice(-2).map((r) => [r.method, r.url, r.body])).toEqual([
      ['POST', '/moved', 'payload'],
      ['POST', '/here', 'payload'],
    ]);
  });

  it('follows a 303 with a GET without its body', async () => {
    const response = await sender.send({
      method: 'POST',
      url: `${base}/see-other`,
      headers: { 'content-type': 'text/plain', authorization: 'Bearer t' },
      body: 'payload',
    });
    expect(response.status).toBe(201);
    expect(seen.slice(-2).map((r) => [r.method, r.url, r.body, r.auth])).toEqual([
      ['POST', '/see-other', 'payload', 'Bearer t'],
      ['GET', '/here', '', 'Bearer t'],
    ]);
  });

  it('does not send credentials to another origin, and stops after three redirects', async () => {
    await sender.send({ method: 'POST', url: `${base}/elsewhere`, headers: { authorization: 'Bearer t' }, body: 'p' });
    expect(seen.slice(-2).map((r) => [r.method, r.url, r.body, r.auth])).toEqual([
      ['POST', '/elsewhere', 'p', 'Bearer t'],
      ['POST', '/here', 'p', undefined],
    ]);
    const before = seen.length;
    const looped = await sender.send({ method: 'GET', url: `${base}/loop`, headers: {} });
    expect(looped.status).toBe(302);
    expect(seen.length - before).toBe(4);
  });

  it('keeps the start of a large body, times out on silence, and rejects an invalid URL', async () => {
    expect((await sender.send({ method: 'GET', url: `${base}/big`, headers: {} })).body).toHaveLength(1000);
    await expect(sender.send({ method: 'POST', url: `${base}/silent`, headers: {}, body: 'x' })).rejects.toMatchObject({
      code: 'UND_ERR_HEADERS_TIMEOUT',
    });
    await expect(sender.send({ method: 'POST', url: 'not a url', headers: {} })).rejects.toMatchObject({
      code: 'ERR_INVALID_URL',
    });
  });

  describe('with blocked networks', () => {
    const blocking = (networks: string[]) =>
      new HttpSender({ timeoutMs: 500, connectionsPerOrigin: 4, addressPolicy: AddressPolicy.blocking(networks) });

    it('refuses an IP literal, a name resolving to a blocked address, and a redirect to one, sending nothing there', async () => {
      const sender = blocking(['127.0.0.2/32']);
      const loopback = blocking(['127.0.0.0/8', '::1/128']);
      try {
        await expect(sender.send({ method: 'GET', url: `${blockedOrigin}/direct`, headers: {} })).rejects.toThrow(
          BlockedAddressError,
        );
        const before = seen.length;
        const redirected = sender.send({ method: 'GET', url: `${base}/to-blocked`, headers: {} });
        await expect(redirected).rejects.toThrow(/127\.0\.0\.2 is in a network destinations may not reach/);
        // The first hop was allowed and answered the redirect.
        expect(seen.slice(before).map((s) => s.url)).toEqual(['/to-blocked']);
        const error = await loopback
          .send({ method: 'GET', url: `${otherOrigin}/by-name`, headers: {} })
          .catch((e) => e);
        expect(classifyNetworkError(error)).toMatchObject({
          kind: 'dead-letter',
          reason: 'INVALID_SETTINGS',
          message: expect.stringMatching(/^cannot send: localhost \((127\.0\.0\.1|::1)\) is in a network/),
        });
        expect(blockedSeen).toEqual([]);
        // Allowed addresses still go, by literal and by name (the policy's lookup answering undici).
        expect((await sender.send({ method: 'GET', url: `${base}/ok`, headers: {} })).status).toBe(201);
        expect((await sender.send({ method: 'GET', url: `${otherOrigin}/ok`, headers: {} })).status).toBe(201);
      } finally {
        await Promise.all([sender.close(), loopback.close()]);
      }
    });
  });
});
