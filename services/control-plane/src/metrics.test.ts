import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectConfigStream } from '@manifold/config-client';
import { connectControlPlane } from '@manifold/proto';
import { startTelemetry, type Telemetry } from '@manifold/telemetry';
import { eventually, sampleValue, testLogger } from '@manifold/testing';
import { AutoDisableJob } from './auto-disable/auto-disable-job';
import { grpcError, startTestControlPlane, type Harness } from './test-support/harness';

const DAY = 86_400_000;

describe('control plane metrics', () => {
  let telemetry: Telemetry;
  let admin: Server;
  let h: Harness;
  let clock = new Date('2026-03-01T12:00:00.000Z');

  beforeAll(async () => {
    telemetry = startTelemetry({ serviceName: 'control-plane' });
    admin = createServer((req, res) => telemetry.handleMetricsRequest(req, res));
    await new Promise<void>((resolve) => admin.listen(0, '127.0.0.1', resolve));
    h = await startTestControlPlane({ meter: telemetry.meter, now: () => clock });
  });

  afterAll(async () => {
    await h?.stop();
    await new Promise((resolve) => admin?.close(resolve));
    await telemetry?.shutdown();
  });

  const scrape = async (): Promise<string> =>
    (await fetch(`http://127.0.0.1:${(admin.address() as AddressInfo).port}/metrics`)).text();

  it('records each gRPC call by service, method, type and status code, and counts open streams', async () => {
    await h.client.workspaces.listWorkspaces({});
    await h.client.workspaces.listWorkspaces({});
    const wrong = connectControlPlane({ address: h.controlPlane.address, token: 'not-the-token' });
    await grpcError(wrong.workspaces.listWorkspaces({}));
    wrong.close();
    const watcher = await connectConfigStream({
      address: h.controlPlane.address,
      token: h.token,
      logger: testLogger('watcher'),
      client: 'metrics-test',
    });

    const handled = 'manifold_control_plane_grpc_server_handling_seconds_count';
    const call = { grpc_service: 'manifold.controlplane.v1.WorkspaceService', grpc_method: 'ListWorkspaces' };
    const open = { grpc_service: 'manifold.controlplane.v1.ConfigService', grpc_method: 'WatchConfig' };
    let text = await scrape();
    expect(sampleValue(text, handled, { ...call, grpc_type: 'unary', grpc_code: 'OK' })).toBe(2);
    expect(sampleValue(text, handled, { ...call, grpc_code: 'UNAUTHENTICATED' })).toBe(1);
    expect(sampleValue(text, 'manifold_control_plane_grpc_server_open_streams', open)).toBe(1);

    watcher.close();
    text = await eventually(
      scrape,
      (t) => sampleValue(t, 'manifold_control_plane_grpc_server_open_streams', open) === 0,
    );
    expect(sampleValue(text, 'manifold_control_plane_grpc_server_open_streams', open)).toBe(0);
    expect(sampleValue(text, handled, { ...open, grpc_type: 'server_stream', grpc_code: 'CANCELLED' })).toBe(1);
  });

  it('counts the sources warned that they will be auto-disabled', async () => {
    const pending = async () => sampleValue(await scrape(), 'manifold_control_plane_sources_auto_disable_pending');
    expect(await pending()).toBe(0);
    await h.client.workspaces.createWorkspace({ slug: 'm', name: 'M', ownerEmail: 'owner@m.test' });
    await h.client.sources.createSource({
      workspace: 'm',
      slug: 'lonely',
      name: 'Lonely',
      environment: 'prod',
      type: 'node',
      category: 'server',
    });
    const store = h.controlPlane.domain.store;
    const job = new AutoDisableJob(
      store,
      // A mailer that delivers (auto-disable warns nobody without one); the mail itself is not looked at.
      { delivers: true, send: () => Promise.resolve(), close: () => undefined },
      testLogger('auto-disable'),
      () => clock,
      () => Promise.resolve(),
    );
    clock = new Date(clock.getTime() + 11 * DAY);
    expect((await job.runOnce()).warned).toHaveLength(1);
    expect(await pending()).toBe(1);
  });
});
