// Kubernetes probes the control plane's readiness through grpc.health.v1: it must say
// NOT_SERVING while MongoDB (a private FerretDB here, stopped and started) does not answer.
import { credentials, loadPackageDefinition, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { eventually, PrivateFerretDb } from '@manifold/testing';
import { startTestControlPlane, type Harness } from '../test-support/harness';

jest.setTimeout(180_000);

type HealthClient = Client & {
  check(req: { service: string }, cb: (e: ServiceError | null, r: { status: string }) => void): void;
};

function healthClient(address: string): HealthClient {
  const proto = loadSync(require.resolve('grpc-health-check/proto/health/v1/health.proto'), {
    keepCase: true,
    enums: String,
  });
  const grpc = loadPackageDefinition(proto) as unknown as {
    grpc: {
      health: { v1: { Health: new (a: string, c: ReturnType<typeof credentials.createInsecure>) => HealthClient } };
    };
  };
  return new grpc.grpc.health.v1.Health(address, credentials.createInsecure());
}

describe('gRPC health while MongoDB is down', () => {
  let ferret: PrivateFerretDb;
  let h: Harness;
  let health: HealthClient;

  beforeAll(async () => {
    ferret = await PrivateFerretDb.create();
    await ferret.start();
    h = await startTestControlPlane({ mongoUrl: ferret.url, healthCheckIntervalMs: 200 });
    health = healthClient(h.controlPlane.address);
  });

  afterAll(async () => {
    health?.close();
    await ferret?.start().catch(() => undefined);
    await h?.stop();
    await ferret?.destroy();
  });

  const check = (service: string): Promise<string> =>
    new Promise((resolve, reject) => health.check({ service }, (e, r) => (e ? reject(e) : resolve(r.status))));

  it('answers NOT_SERVING while MongoDB is stopped and SERVING once it is back', async () => {
    expect(await check('')).toBe('SERVING');
    await ferret.stop();
    await eventually(
      () => check(''),
      (s) => s === 'NOT_SERVING',
      30_000,
    );
    expect(await check('manifold.controlplane.v1.ConfigService')).toBe('NOT_SERVING');
    await ferret.start();
    await eventually(
      () => check(''),
      (s) => s === 'SERVING',
      60_000,
    );
    expect(await check('manifold.controlplane.v1.SourceService')).toBe('SERVING');
  });
});
