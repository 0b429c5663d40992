import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import express from 'express';
import { request } from 'undici';
import { compressBody, sendCompressed, type CompressedBody } from './compressed';

describe('compressed responses', () => {
  let server: Server;
  let url: string;
  const text = Buffer.from('analytics '.repeat(5000));
  let body: CompressedBody;

  beforeAll(async () => {
    body = await compressBody(text);
    const app = express();
    app.get('/file', (req, res) => {
      res.type('application/javascript');
      sendCompressed(req, res, body);
    });
    app.get('/gzip-only', (req, res) => {
      res.type('application/javascript');
      sendCompressed(req, res, { identity: text, gzip: body.gzip });
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  async function get(path: string, acceptEncoding?: string) {
    const response = await request(`${url}${path}`, {
      headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding },
    });
    const raw = Buffer.from(await response.body.arrayBuffer());
    return { headers: response.headers, raw };
  }

  it('sends brotli when accepted, as browsers ask', async () => {
    const { headers, raw } = await get('/file', 'gzip, deflate, br, zstd');
    expect(headers['content-encoding']).toBe('br');
    expect(headers['vary']).toBe('Accept-Encoding');
    expect(raw.length).toBeLessThan(text.length / 10);
    expect(brotliDecompressSync(raw).equals(text)).toBe(true);
  });

  it('sends gzip when only gzip is accepted or offered, and the body as is when nothing is', async () => {
    const gz = await get('/file', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.raw).equals(text)).toBe(true);
    const onlyGzip = await get('/gzip-only', 'br, gzip');
    expect(onlyGzip.headers['content-encoding']).toBe('gzip');
    const plain = await get('/file');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.raw.equals(text)).toBe(true);
    const refused = await get('/file', 'br;q=0, gzip;q=0');
    expect(refused.headers['content-encoding']).toBeUndefined();
  });
});
