// What grpcurl and Kubernetes probes use: grpc.health.v1 and server reflection, through
// plain clients built from the standard protos (as grpcurl would), not from our own code.
import {
  credentials,
  loadPackageDefinition,
  type Client,
  type ClientDuplexStream,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { startTestControlPlane, type Harness } from '../test-support/harness';

type Ctor = new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => Client;

function clientFor(protoFile: string, path: string[], address: string): Client {
  const definition = loadPackageDefinition(loadSync(protoFile, { keepCase: true, enums: String })) as unknown as Record<
    string,
    unknown
  >;
  const Service = path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], definition) as Ctor;
  return new Service(address, credentials.createInsecure());
}

describe('gRPC health checking and server reflection', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startTestControlPlane();
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('answers grpc.health.v1 Check for the server and each service', async () => {
    const health = clientFor(
      require.resolve('grpc-health-check/proto/health/v1/health.proto'),
      ['grpc', 'health', 'v1', 'Health'],
      h.controlPlane.address,
    ) as Client & {
      check(req: { service: string }, cb: (e: ServiceError | null, r: { status: string }) => void): void;
    };
    const check = (service: string) =>
      new Promise<string>((resolve, reject) =>
        health.check({ service }, (e, r) => (e ? reject(e) : resolve(r.status))),
      );
    expect(await check('')).toBe('SERVING');
    expect(await check('manifold.controlplane.v1.SourceService')).toBe('SERVING');
    await expect(check('no.such.Service')).rejects.toMatchObject({ code: 5 });
    health.close();
  });

  it('lists the API through server reflection and describes its files', async () => {
    const reflectionProto = require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto');
    const reflection = clientFor(
      reflectionProto,
      ['grpc', 'reflection', 'v1', 'ServerReflection'],
      h.controlPlane.address,
    ) as Client & {
      ServerReflectionInfo(): ClientDuplexStream<Record<string, unknown>, Record<string, unknown>>;
    };
    const ask = (request: Record<string, unknown>) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const call = reflection.ServerReflectionInfo();
        call.on('data', (response: Record<string, unknown>) => {
          resolve(response);
          call.end();
        });
        call.on('error', reject);
        call.write(request);
      });
    const listed = (await ask({ list_services: '' })) as {
      list_services_response: { service: Array<{ name: string }> };
    };
    expect(listed.list_services_response.service.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'manifold.controlplane.v1.WorkspaceService',
        'manifold.controlplane.v1.SourceService',
        'manifold.controlplane.v1.DestinationService',
        'manifold.controlplane.v1.CatalogService',
        'manifold.controlplane.v1.ConfigService',
        'grpc.health.v1.Health',
      ]),
    );
    const described = (await ask({ file_containing_symbol: 'manifold.controlplane.v1.SourceService' })) as {
      file_descriptor_response: { file_descriptor_proto: Buffer[] };
    };
    expect(described.file_descriptor_response.file_descriptor_proto.length).toBeGreaterThan(0);
    expect(Buffer.concat(described.file_descriptor_response.file_descriptor_proto).toString('latin1')).toContain(
      'RotateWriteKey',
    );
    reflection.close();
  });
});
