import { randomBytes } from 'node:crypto';
import type { ServiceError } from '@grpc/grpc-js';
import { connectControlPlane, fieldViolations, type ControlPlaneClients } from '@manifold/proto';
import { requireMongo, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { runCli } from '../cli/program';
import type { CatalogEntryDefinition } from '../domain/catalog';
import { startControlPlane, type ControlPlane, type StartControlPlaneOptions } from '../start-control-plane';

/** A destination and a warehouse defined only for tests: the catalog path works without real ones. */
export const TEST_CATALOG: CatalogEntryDefinition[] = [
  {
    id: 'test-analytics',
    name: 'Test Analytics',
    description: 'A destination for tests, with a secret and a choice',
    categories: ['analytics'],
    supportedCallTypes: ['track', 'identify'],
    warehouse: false,
    settingsSchema: {
      type: 'object',
      required: ['apiKey'],
      additionalProperties: false,
      properties: {
        apiKey: { type: 'string', minLength: 8, secret: true, title: 'API key' },
        region: { type: 'string', enum: ['us', 'eu'], default: 'us' },
        baseUrl: { type: 'string', format: 'uri' },
      },
    },
  },
  {
    id: 'test-email',
    name: 'Test Mailer',
    description: 'Another destination, in the email category',
    categories: ['email', 'marketing'],
    supportedCallTypes: ['identify'],
    warehouse: false,
    settingsSchema: { type: 'object', properties: { token: { type: 'string', secret: true } } },
  },
  {
    id: 'test-warehouse',
    name: 'Test Warehouse',
    description: 'A warehouse for tests',
    categories: ['warehouses'],
    supportedCallTypes: ['identify', 'track', 'page', 'screen', 'group', 'alias'],
    warehouse: true,
    settingsSchema: {
      type: 'object',
      required: ['url'],
      properties: { url: { type: 'string', minLength: 1 }, password: { type: 'string', secret: true } },
    },
  },
];

export interface Harness {
  controlPlane: ControlPlane;
  client: ControlPlaneClients;
  token: string;
  database: string;
  stop(): Promise<void>;
}

export function testSecretKey(): string {
  return randomBytes(32).toString('base64');
}

export async function startTestControlPlane(overrides: Partial<StartControlPlaneOptions> = {}): Promise<Harness> {
  const { mongoUrl } = testInfrastructure();
  await requireMongo(mongoUrl);
  const token = overrides.token ?? `test-token-${randomBytes(8).toString('hex')}`;
  const database = overrides.database ?? uniqueName('cp').replace(/[^a-z0-9]/gi, '');
  const controlPlane = await startControlPlane({
    mongoUrl,
    database,
    grpcPort: 0,
    token,
    secretKey: overrides.secretKey ?? testSecretKey(),
    logger: testLogger('control-plane'),
    catalog: TEST_CATALOG,
    configPollIntervalMs: 200,
    ...overrides,
    autoDisable: { enabled: false, ...overrides.autoDisable },
  });
  const client = connectControlPlane({ address: controlPlane.address, token, actor: 'tester@example.com' });
  return {
    controlPlane,
    client,
    token,
    database,
    async stop() {
      client.close();
      await controlPlane.domain.store.db.dropDatabase().catch(() => undefined);
      await controlPlane.stop();
    },
  };
}

/** Runs the `manifold` CLI in-process against the harness's control plane, capturing its output. */
export function cliRunner(h: Harness): (...args: string[]) => Promise<{ code: number; out: string; err: string }> {
  return async (...args) => {
    let out = '';
    let err = '';
    const code = await runCli(
      args,
      { stdout: (t) => (out += t), stderr: (t) => (err += t) },
      { CONTROL_PLANE_ADDRESS: h.controlPlane.address, CONTROL_PLANE_TOKEN: h.token, MANIFOLD_ACTOR: 'cli-test' },
    );
    return { code, out, err };
  };
}

/** The gRPC error a call rejected with, for asserting on code, message and field violations. */
export async function grpcError(
  promise: Promise<unknown>,
): Promise<ServiceError & { violations: Array<{ field: string; message: string }> }> {
  try {
    await promise;
  } catch (error) {
    return Object.assign(error as ServiceError, { violations: fieldViolations(error) });
  }
  throw new Error('expected the call to fail, but it succeeded');
}
