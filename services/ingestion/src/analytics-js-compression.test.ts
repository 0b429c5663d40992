// analytics.js is served compressed, as a CDN would: brotli or gzip by Accept-Encoding, with
// caching headers (the entry briefly, the content-hashed chunks for good).
import { readdirSync } from 'node:fs';
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { AnalyticsJsBundle } from './analytics-js/bundle';
import { startTestIngestion, WRITE_KEY, type TestIngestion } from './test-support/harness';

describe('analytics.js compression', () => {
  let ingestion: TestIngestion;
  const bundle = new AnalyticsJsBundle();

  beforeAll(async () => {
    ingestion = await startTestIngestion();
  });

  afterAll(async () => {
    await ingestion?.close();
  });

  /** node:http, which (unlike fetch) leaves the body as it crossed the wire. */
  function get(
    path: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: IncomingHttpHeaders; raw: Buffer }> {
    return new Promise((resolve, reject) => {
      httpGet(`${ingestion.url}${path}`, { headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, raw: Buffer.concat(chunks) }),
        );
      }).on('error', reject);
    });
  }

  it('sends the entry script with brotli or gzip, as the browser accepts, with the write key inside', async () => {
    const plain = bundle.standalone(WRITE_KEY);
    const br = await get(`/analytics.js/v1/${WRITE_KEY}/analytics.min.js`, {
      'accept-encoding': 'gzip, deflate, br, zstd',
    });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['vary']).toContain('Accept-Encoding');
    expect(br.headers['cache-control']).toBe('public, max-age=300');
    expect(br.raw.length).toBeLessThan(plain.length / 3);
    expect(brotliDecompressSync(br.raw).equals(plain)).toBe(true);

    const gz = await get(`/analytics.js/v1/${WRITE_KEY}/analytics.min.js`, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.raw).equals(plain)).toBe(true);

    const none = await get(`/analytics.js/v1/${WRITE_KEY}/analytics.min.js`);
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.raw.equals(plain)).toBe(true);
  });

  it('revalidates the entry by ETag and caches the hashed chunks for good, gzipped', async () => {
    const first = await get(`/analytics.js/v1/${WRITE_KEY}/analytics.min.js`, { 'accept-encoding': 'br' });
    const again = await get(`/analytics.js/v1/${WRITE_KEY}/analytics.min.js`, {
      'accept-encoding': 'br',
      'if-none-match': String(first.headers['etag']),
    });
    expect(again.status).toBe(304);

    const chunk = readdirSync(AnalyticsJsBundle.locate().umdDirectory).find((name) => /\.bundle\..+\.js$/.test(name))!;
    const served = await get(`/analytics-next/bundles/${chunk}`, { 'accept-encoding': 'gzip, br' });
    expect(served.status).toBe(200);
    expect(served.headers['content-encoding']).toBe('gzip');
    expect(served.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });
});
