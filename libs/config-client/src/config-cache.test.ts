// The config cache on disk: sealed, 0600, atomic, and ignored cleanly when it cannot be trusted.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testLogger } from '@manifold/testing';
import { ConfigCache, configCacheBox } from './config-cache';
import { connectConfigStream } from './config-stream-client';
import type { ConfigSnapshot } from './snapshot';
import { sourceConfig } from './testing';

const API_SECRET = 'mp-api-secret-5c1e9a';
const WRITE_KEY = 'wk-0123456789abcdef0123456789ab';

function snapshot(version: number): ConfigSnapshot {
  return {
    version,
    sources: [sourceConfig({ writeKeys: [WRITE_KEY] })],
    destinations: [
      {
        id: 'dst-1',
        workspaceId: 'ws-1',
        catalogId: 'mixpanel',
        catalogName: 'Mixpanel',
        name: 'Mixpanel',
        enabled: true,
        settings: { projectToken: 't', apiSecret: API_SECRET },
        sourceIds: ['src-1'],
        filters: [],
      },
    ],
    warehouses: [],
  };
}

describe('the config cache', () => {
  let dir: string;
  let file: string;
  const logger = testLogger('config-cache-test');

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'manifold-config-cache-'));
    file = join(dir, 'config.json');
  });

  const cacheWith = (options: { cacheKey?: string; token: string }) =>
    new ConfigCache(file, configCacheBox(options), logger);

  it('is sealed with the service key, readable only by its owner, and reads back', async () => {
    const cache = cacheWith({ token: 'token-one-0123456789' });
    cache.save(snapshot(3));
    await cache.flush();
    const text = await readFile(file, 'utf8');
    for (const secret of [API_SECRET, WRITE_KEY, 'Mixpanel', 'acme']) expect(text).not.toContain(secret);
    expect(JSON.parse(text)).toMatchObject({ format: 'manifold-config-cache', version: 1, sealed: /^enc:v1:/ });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await cacheWith({ token: 'token-one-0123456789' }).read()).toEqual(snapshot(3));
  });

  it('with CONFIG_CACHE_KEY the token does not matter; another key or token makes it ignored, not fatal', async () => {
    const key = randomBytes(32).toString('base64');
    const cache = cacheWith({ cacheKey: key, token: 'token-one-0123456789' });
    cache.save(snapshot(4));
    await cache.flush();
    expect(await cacheWith({ cacheKey: key, token: 'rotated-token-0123456' }).read()).toEqual(snapshot(4));

    const warn = jest.spyOn(logger, 'warn');
    expect(await cacheWith({ cacheKey: randomBytes(32).toString('base64'), token: 't' }).read()).toBeUndefined();
    expect(await cacheWith({ token: 'token-one-0123456789' }).read()).toBeUndefined();
    expect(warn).toHaveBeenCalledWith({ file }, expect.stringContaining('sealed with another key'));
    warn.mockRestore();
  });

  it('refuses an altered cache, and deletes a clear-text one an older version wrote', async () => {
    const cache = cacheWith({ token: 'token-one-0123456789' });
    cache.save(snapshot(5));
    await cache.flush();
    const sealed = JSON.parse(await readFile(file, 'utf8')) as { sealed: string };
    const parts = sealed.sealed.split(':');
    const data = Buffer.from(parts[4]!, 'base64');
    data[0] = (data[0] ?? 0) ^ 1;
    parts[4] = data.toString('base64');
    await writeFile(file, JSON.stringify({ ...sealed, sealed: parts.join(':') }));
    expect(await cache.read()).toBeUndefined();

    await writeFile(file, JSON.stringify(snapshot(6)));
    expect(await cache.read()).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
  });

  it('writes atomically: the latest of many saves wins, no temporary file is left', async () => {
    const cache = cacheWith({ token: 'token-one-0123456789' });
    for (let version = 1; version <= 20; version++) cache.save(snapshot(version));
    await cache.flush();
    expect((await cache.read())?.version).toBe(20);
    expect(await readdir(dir)).toEqual(['config.json']);
  });

  it('keeps nothing without a key', async () => {
    const cache = cacheWith({ token: '' });
    cache.save(snapshot(1));
    await cache.flush();
    expect(await readdir(dir)).toEqual([]);
  });

  it('a service starting while the control plane is down serves the cache of its own key only', async () => {
    const cache = cacheWith({ token: 'token-one-0123456789' });
    cache.save(snapshot(7));
    await cache.flush();
    const down = '127.0.0.1:1';
    const view = await connectConfigStream({
      address: down,
      token: 'token-one-0123456789',
      logger,
      cacheFile: file,
      firstSnapshotTimeoutMs: 5000,
    });
    expect(view.sourceForWriteKey(WRITE_KEY)?.id).toBe('src-1');
    await view.close();
    await expect(
      connectConfigStream({
        address: down,
        token: 'another-token-012345',
        logger,
        cacheFile: file,
        firstSnapshotTimeoutMs: 300,
      }),
    ).rejects.toThrow('no configuration from the control plane');
  });
});
