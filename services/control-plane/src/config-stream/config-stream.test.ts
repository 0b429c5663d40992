// The config stream across two control-plane processes: replica A runs in this process,
// replica B is a real child process started from main.ts, sharing A's database.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connectConfigStream, type ConfigStreamClient } from '@manifold/config-client';
import { connectControlPlane } from '@manifold/proto';
import { freePort, testInfrastructure, testLogger, waitFor } from '@manifold/testing';
import { defaultCatalog } from '../default-catalog';
import { startTestControlPlane, testSecretKey, type Harness } from '../test-support/harness';

const repoRoot = resolve(__dirname, '../../../..');

describe('config stream across two control-plane processes', () => {
  const secretKey = testSecretKey();
  let a: Harness;
  let b: ChildProcess | undefined;
  let bPort: number;
  const clients: ConfigStreamClient[] = [];

  function startB(): Promise<void> {
    const { mongoUrl } = testInfrastructure();
    b = spawn(
      process.execPath,
      [require.resolve('tsx/cli'), '--tsconfig', 'tsconfig.json', 'services/control-plane/src/main.ts'],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          MONGO_URL: mongoUrl,
          MONGO_DATABASE: a.database,
          CONTROL_PLANE_TOKEN: a.token,
          CONTROL_PLANE_SECRET_KEY: secretKey,
          GRPC_HOST: '127.0.0.1',
          GRPC_PORT: String(bPort),
          ADMIN_PORT: '0',
          CONFIG_POLL_INTERVAL_MS: '200',
          KAFKA_BROKERS: '',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    const probe = connectControlPlane({ address: `127.0.0.1:${bPort}`, token: a.token });
    return (async () => {
      const deadline = Date.now() + 30000;
      for (;;) {
        try {
          await probe.workspaces.listWorkspaces({}, { deadlineMs: 1000 });
          probe.close();
          return;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    })();
  }

  async function stopB(): Promise<void> {
    const child = b;
    b = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }

  beforeAll(async () => {
    a = await startTestControlPlane({ secretKey, catalog: defaultCatalog() });
    bPort = await freePort();
    await startB();
  }, 60000);

  afterAll(async () => {
    for (const c of clients) await c.close();
    await stopB();
    await a?.stop();
  });

  it('streams a snapshot, then writes made on the other replica, and survives that replica restarting', async () => {
    await a.client.workspaces.createWorkspace({ slug: 'cs', name: 'CS', ownerEmail: 'o@cs.test' });
    const web = await a.client.sources.createSource({
      workspace: 'cs',
      slug: 'web',
      name: 'Web',
      environment: 'prod',
      type: 'javascript',
      category: 'website',
    });
    const key = web.writeKeys[0]?.key ?? '';
    const cacheFile = join(await mkdtemp(join(tmpdir(), 'cs-')), 'config.json');

    const client = await connectConfigStream({
      address: `127.0.0.1:${bPort}`,
      token: a.token,
      logger: testLogger('cs-client'),
      cacheFile,
    });
    clients.push(client);
    expect(client.connected).toBe(true);
    expect(client.sourceForWriteKey(key)).toMatchObject({ id: web.id, workspaceSlug: 'cs', enabled: true });

    // A write through replica A reaches a watcher of replica B within a few seconds.
    const app = await a.client.sources.createSource({
      workspace: 'cs',
      slug: 'app',
      name: 'App',
      environment: 'prod',
      type: 'ios',
      category: 'mobile',
    });
    const started = Date.now();
    await waitFor(() => client.source(app.id) !== undefined, 15000, 'the new source on replica B');
    expect(Date.now() - started).toBeLessThan(5000);

    // Replica B goes away: the client keeps serving its last snapshot.
    await stopB();
    await waitFor(() => !client.connected, 15000, 'the client to notice');
    expect(client.sourceForWriteKey(key)?.id).toBe(web.id);

    // Meanwhile configuration changes through A, including a secret setting.
    await a.client.sources.updateSource({ workspace: 'cs', source: 'web', enabled: false, reason: 'test' });
    const dw = await a.client.destinations.createDestination({
      workspace: 'cs',
      name: 'DW',
      catalogId: 'postgres',
      settings: { url: 'postgres://loader:s3cret@127.0.0.1:5433/dw' },
      sources: ['web'],
      syncIntervalSeconds: 60,
    });
    expect(dw.settings?.['url']).toBe('********');
    expect(client.source(web.id)?.enabled).toBe(true);

    // A client started now, while the control plane it knows is down, serves from its cache.
    const cached = await connectConfigStream({
      address: `127.0.0.1:${bPort}`,
      token: a.token,
      logger: testLogger('cs-cached'),
      cacheFile,
      firstSnapshotTimeoutMs: 3000,
    });
    clients.push(cached);
    expect(cached.connected).toBe(false);
    expect(cached.sourceForWriteKey(key)?.id).toBe(web.id);

    // B returns: both clients catch up with everything that happened meanwhile.
    await startB();
    await waitFor(() => client.connected && client.source(web.id)?.enabled === false, 20000, 'catch-up after restart');
    expect(client.warehousesForSource(web.id)).toEqual([
      expect.objectContaining({
        id: dw.id,
        kind: 'postgres',
        settings: expect.objectContaining({ url: 'postgres://loader:s3cret@127.0.0.1:5433/dw' }),
      }),
    ]);
    await waitFor(
      () => cached.connected && cached.source(web.id)?.enabled === false,
      20000,
      'the cached client to catch up',
    );
  }, 90000);

  it('refuses a watcher with a wrong token', async () => {
    await expect(
      connectConfigStream({
        address: `127.0.0.1:${bPort}`,
        token: 'wrong-token',
        logger: testLogger('cs-bad'),
        firstSnapshotTimeoutMs: 2000,
      }),
    ).rejects.toThrow(/no configuration from the control plane/);
  }, 20000);
});
