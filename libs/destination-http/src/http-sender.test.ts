import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpSender } from './http-sender';

describe('HttpSender', () => {
  let server: Server;
  let base: string;
  let otherOrigin: string;
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
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
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
});
