// TLS between services and the control plane, whose config stream carries decrypted
// credentials: server and clients configured from their variables, certificates made by openssl.
import { rmSync } from 'node:fs';
import { status } from '@grpc/grpc-js';
import { connectConfigStream } from '@manifold/config-client';
import { loadConfig } from '@manifold/config';
import {
  checkControlPlaneTlsConfig,
  connectControlPlane,
  controlPlaneTls,
  controlPlaneTlsConfigShape,
  grpcServerTls,
  type ControlPlaneClients,
} from '@manifold/proto';
import { makeTlsCertificates, testLogger, type TlsCertificates } from '@manifold/testing';
import { runCli } from '../cli/program';
import { controlPlaneConfig } from '../config';
import { startTestControlPlane, testSecretKey, type Harness } from '../test-support/harness';

function serverTls(vars: Record<string, string>) {
  const config = controlPlaneConfig({
    MONGO_URL: 'mongodb://unused:27017/',
    CONTROL_PLANE_TOKEN: 'a-test-token-of-enough-length',
    CONTROL_PLANE_SECRET_KEY: testSecretKey(),
    ...vars,
  });
  return grpcServerTls(config);
}

function clientTls(vars: Record<string, string>) {
  return controlPlaneTls(loadConfig('client', controlPlaneTlsConfigShape, vars, [checkControlPlaneTlsConfig]));
}

function clients(h: Harness, vars: Record<string, string>): ControlPlaneClients {
  return connectControlPlane({ address: h.controlPlane.address, token: h.token, tls: clientTls(vars) });
}

async function listCatalog(client: ControlPlaneClients): Promise<unknown> {
  try {
    return await client.catalog.listCatalog({}, { deadlineMs: 5000 });
  } finally {
    client.close();
  }
}

describe('gRPC over TLS', () => {
  let certs: TlsCertificates;
  let other: TlsCertificates;

  beforeAll(() => {
    certs = makeTlsCertificates();
    other = makeTlsCertificates();
  });

  afterAll(() => {
    for (const c of [certs, other]) if (c) rmSync(c.dir, { recursive: true, force: true });
  });

  describe('server certificate only', () => {
    let h: Harness;

    beforeAll(async () => {
      h = await startTestControlPlane({
        grpcTls: serverTls({ GRPC_TLS_CERT_FILE: certs.serverCert, GRPC_TLS_KEY_FILE: certs.serverKey }),
      });
    });

    afterAll(async () => {
      await h?.stop();
    });

    it('serves calls and the config stream to clients that trust its CA', async () => {
      await expect(listCatalog(clients(h, { CONTROL_PLANE_TLS_CA_FILE: certs.ca }))).resolves.toBeDefined();
      const stream = await connectConfigStream({
        address: h.controlPlane.address,
        token: h.token,
        tls: clientTls({ CONTROL_PLANE_TLS_CA_FILE: certs.ca }),
        logger: testLogger('tls-stream'),
        firstSnapshotTimeoutMs: 10000,
      });
      expect(stream.connected).toBe(true);
      await stream.close();
    });

    it('is refused by a client that trusts another CA, and refuses plaintext', async () => {
      await expect(listCatalog(clients(h, { CONTROL_PLANE_TLS_CA_FILE: other.ca }))).rejects.toMatchObject({
        code: status.UNAVAILABLE,
      });
      await expect(listCatalog(clients(h, {}))).rejects.toMatchObject({ code: status.UNAVAILABLE });
    });
  });

  describe('mutual TLS', () => {
    let h: Harness;

    beforeAll(async () => {
      h = await startTestControlPlane({
        grpcTls: serverTls({
          GRPC_TLS_CERT_FILE: certs.serverCert,
          GRPC_TLS_KEY_FILE: certs.serverKey,
          GRPC_TLS_CLIENT_CA_FILE: certs.ca,
        }),
      });
    });

    afterAll(async () => {
      await h?.stop();
    });

    it('serves a client with a certificate its client CA signed', async () => {
      const tls = {
        CONTROL_PLANE_TLS_CA_FILE: certs.ca,
        CONTROL_PLANE_TLS_CERT_FILE: certs.clientCert,
        CONTROL_PLANE_TLS_KEY_FILE: certs.clientKey,
      };
      await expect(listCatalog(clients(h, tls))).resolves.toBeDefined();
    });

    it('serves the manifold CLI given the same variables', async () => {
      let out = '';
      const code = await runCli(
        ['--json', 'catalog', 'list'],
        { stdout: (t) => (out += t), stderr: (t) => (out += t) },
        {
          CONTROL_PLANE_ADDRESS: h.controlPlane.address,
          CONTROL_PLANE_TOKEN: h.token,
          CONTROL_PLANE_TLS_CA_FILE: certs.ca,
          CONTROL_PLANE_TLS_CERT_FILE: certs.clientCert,
          CONTROL_PLANE_TLS_KEY_FILE: certs.clientKey,
        },
      );
      expect({ code, out }).toMatchObject({ code: 0 });
    });

    it('refuses a client without a certificate, or with one another CA signed', async () => {
      await expect(listCatalog(clients(h, { CONTROL_PLANE_TLS_CA_FILE: certs.ca }))).rejects.toMatchObject({
        code: status.UNAVAILABLE,
      });
      const foreign = {
        CONTROL_PLANE_TLS_CA_FILE: certs.ca,
        CONTROL_PLANE_TLS_CERT_FILE: other.clientCert,
        CONTROL_PLANE_TLS_KEY_FILE: other.clientKey,
      };
      await expect(listCatalog(clients(h, foreign))).rejects.toMatchObject({ code: status.UNAVAILABLE });
    });
  });

  it('refuses half a configuration at start', () => {
    expect(() => serverTls({ GRPC_TLS_CLIENT_CA_FILE: certs.ca })).toThrow(
      'needs GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE',
    );
    expect(() => clientTls({ CONTROL_PLANE_TLS_CERT_FILE: certs.clientCert })).toThrow(
      'CONTROL_PLANE_TLS_KEY_FILE is required when CONTROL_PLANE_TLS_CERT_FILE is set',
    );
  });
});
