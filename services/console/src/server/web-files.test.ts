// The web app is served compressed with caching headers, and without source maps.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { request } from 'undici';
import { buildWebApp } from '../testing/browser';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';

jest.setTimeout(60_000);

describe('web app files', () => {
  let webRoot: string;
  let stack: ConsoleStack;
  let script: string;

  beforeAll(async () => {
    webRoot = buildWebApp();
    stack = await startConsoleStack({ webRoot });
    script = readdirSync(join(webRoot, 'assets')).find((name) => name.endsWith('.js'))!;
  });

  afterAll(async () => {
    await stack?.stop();
    if (webRoot) rmSync(webRoot, { recursive: true, force: true });
  });

  async function get(path: string, headers: Record<string, string> = { 'accept-encoding': 'gzip, deflate, br' }) {
    const response = await request(`${stack.console.url}${path}`, { headers });
    return {
      status: response.statusCode,
      headers: response.headers,
      raw: Buffer.from(await response.body.arrayBuffer()),
    };
  }

  it('builds no source maps', () => {
    const all = readdirSync(webRoot, { recursive: true }).map(String);
    expect(all.filter((name) => name.endsWith('.map'))).toEqual([]);
  });

  it('serves the bundle compressed and cached for good, and index.html compressed and revalidated', async () => {
    const bundle = await get(`/assets/${script}`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers['content-encoding']).toBe('br');
    expect(bundle.headers['content-type']).toMatch(/javascript/);
    expect(bundle.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(brotliDecompressSync(bundle.raw).toString('utf8')).toContain('createRoot');

    const gzip = await get(`/assets/${script}`, { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');

    const index = await get('/signin');
    expect(index.status).toBe(200);
    expect(index.headers['content-encoding']).toBe('br');
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(brotliDecompressSync(index.raw).toString('utf8')).toContain(`/assets/${script}`);
    const revalidated = await get('/signin', {
      'accept-encoding': 'gzip, deflate, br',
      'if-none-match': String(index.headers['etag']),
    });
    expect(revalidated.status).toBe(304);
  });

  it('never serves a source map, even one left in the build folder', async () => {
    writeFileSync(join(webRoot, 'assets', `${script}.map`), '{"version":3,"sources":["secret.ts"]}');
    const map = await get(`/assets/${script}.map`);
    expect(map.status).toBe(404);
    expect(map.raw.toString('utf8')).not.toContain('secret.ts');
    expect((await get('/assets/..%2Findex.html')).status).toBe(404);
  });
});
