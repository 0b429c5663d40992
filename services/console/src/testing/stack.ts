// Test support: a real control plane and console (and their MongoDB databases), started in-process.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startControlPlane, type ControlPlane } from '@manifold/control-plane';
import { connectMongo } from '@manifold/mongo';
import { requireMongo, testInfrastructure, testLogger, testTopicPrefix, uniqueName } from '@manifold/testing';
import { startConsole, type RunningConsole, type StartConsoleOptions } from '../start-console';
import { startTestDataPlane, type TestDataPlane } from './data-plane';

type CatalogDefinitions = NonNullable<Parameters<typeof startControlPlane>[0]['catalog']>;

/** Destinations defined for these tests, validated by the control plane like real ones. */
export const TEST_CATALOG: CatalogDefinitions = [
  {
    id: 'acme-analytics',
    name: 'Acme Analytics',
    description: 'Product analytics for tests: a secret API key and a region',
    categories: ['analytics'],
    supportedCallTypes: ['track', 'identify', 'page'],
    warehouse: false,
    settingsSchema: {
      type: 'object',
      required: ['apiKey'],
      additionalProperties: false,
      properties: {
        apiKey: { type: 'string', minLength: 8, secret: true, title: 'API key' },
        region: { type: 'string', enum: ['us', 'eu'], default: 'us', title: 'Region' },
      },
    },
  },
  {
    id: 'mail-blaster',
    name: 'Mail Blaster',
    description: 'Email marketing for tests',
    categories: ['email', 'marketing'],
    supportedCallTypes: ['identify'],
    warehouse: false,
    settingsSchema: { type: 'object', properties: { token: { type: 'string', secret: true } } },
  },
  {
    id: 'test-postgres',
    name: 'Test Postgres',
    description: 'A warehouse for tests',
    categories: ['Warehouses'],
    supportedCallTypes: ['identify', 'track', 'page', 'screen', 'group', 'alias'],
    warehouse: true,
    settingsSchema: {
      type: 'object',
      required: ['url'],
      properties: { url: { type: 'string', minLength: 1 }, password: { type: 'string', secret: true } },
    },
  },
];

export interface ConsoleStack {
  controlPlane: ControlPlane;
  controlPlaneToken: string;
  console: RunningConsole;
  /** The console's own database (accounts, sessions, invitations), for tests that look inside. */
  consoleDatabase: string;
  /** Set when started with `dataPlane`. */
  dataPlane: TestDataPlane | undefined;
  stop(): Promise<void>;
}

const databaseName = (prefix: string) => uniqueName(prefix).replace(/[^a-z0-9]/gi, '');

async function dropDatabase(url: string, name: string): Promise<void> {
  const mongo = await connectMongo({ url, appName: 'console-test-cleanup', logger: testLogger('cleanup') }).catch(
    () => undefined,
  );
  await mongo?.client
    .db(name)
    .dropDatabase()
    .catch(() => undefined);
  await mongo?.close();
}

export async function startConsoleStack(
  options: {
    /** The control plane's catalog: TEST_CATALOG unless 'default' (the destinations in code). */
    catalog?: CatalogDefinitions | 'default';
    /**
     * Start the real data plane fed by the control plane: ingestion (snippet, debugger) and, for
     * `translatorTypes`, the translator, whose delivery reports the control plane then reads.
     */
    dataPlane?: { translatorTypes?: string[] };
    webRoot?: string;
    /** The console's own MongoDB (e.g. a private FerretDB a test stops); the shared one by default. */
    consoleMongoUrl?: string;
    /**
     * Before the console starts, make what `pnpm start` makes: deploy/local/workspace.yaml (workspace
     * `local`, source `website`, a DuckDB warehouse) applied with `manifold apply`. Needs the default catalog.
     */
    localWorkspace?: boolean;
    /** The control plane's OAuth apps (the emulators' clients), for destinations that connect with OAuth. */
    oauthClients?: Parameters<typeof startControlPlane>[0]['oauthClients'];
    /** How long a Reverse ETL preview may run in the warehouse (the control plane's; 30 s by default). */
    previewTimeoutMs?: number;
    /** More console settings: SMTP, sign-in limits, proxies, the setup token, a logger that keeps what it is given. */
    console?: Partial<
      Pick<
        StartConsoleOptions,
        'smtp' | 'lockout' | 'throttleLimits' | 'trustProxy' | 'publicUrl' | 'port' | 'setupToken' | 'logger'
      >
    >;
  } = {},
): Promise<ConsoleStack> {
  const { mongoUrl } = testInfrastructure();
  await requireMongo(mongoUrl);
  const { kafkaBrokers } = testInfrastructure();
  const controlPlaneToken = `cp-token-${randomBytes(12).toString('hex')}`;
  // The data plane's topics and groups, and the control plane reading its reports, under a prefix of their own.
  const topicPrefix = testTopicPrefix();
  const controlPlaneDatabase = databaseName('consolecp');
  const consoleDatabase = databaseName('console');
  const controlPlane = await startControlPlane({
    mongoUrl,
    database: controlPlaneDatabase,
    grpcPort: 0,
    token: controlPlaneToken,
    secretKey: randomBytes(32).toString('base64'),
    logger: testLogger('control-plane'),
    ...(options.catalog === 'default' ? {} : { catalog: options.catalog ?? TEST_CATALOG }),
    configPollIntervalMs: 200,
    autoDisable: { enabled: false },
    ...(options.dataPlane ? { kafkaBrokers, kafkaTopicPrefix: topicPrefix } : {}),
    ...(options.oauthClients ? { oauthClients: options.oauthClients } : {}),
    ...(options.previewTimeoutMs ? { previewTimeoutMs: options.previewTimeoutMs } : {}),
  });
  const runDir = options.localWorkspace ? mkdtempSync(join(tmpdir(), 'console-local-')) : undefined;
  if (runDir) await applyLocalWorkspace(controlPlane.address, controlPlaneToken, runDir);
  const dataPlane = options.dataPlane
    ? await startTestDataPlane(
        { address: controlPlane.address, token: controlPlaneToken },
        { ...options.dataPlane, topicPrefix },
      )
    : undefined;
  const running = await startConsole({
    mongoUrl: options.consoleMongoUrl ?? mongoUrl,
    database: consoleDatabase,
    controlPlaneAddress: controlPlane.address,
    controlPlaneToken,
    port: 0,
    logger: testLogger('console'),
    // Port 9 (discard) answers nothing: the debugger reports ingestion unreachable.
    ingestionUrl: dataPlane?.url ?? 'http://127.0.0.1:9',
    ingestionPublicUrl: dataPlane?.url ?? 'http://127.0.0.1:9',
    ingestionAdminToken: dataPlane?.adminToken,
    ...(options.webRoot ? { webRoot: options.webRoot } : {}),
    ...options.console,
  });
  return {
    controlPlane,
    controlPlaneToken,
    console: running,
    consoleDatabase,
    dataPlane,
    async stop() {
      await running.stop();
      await dataPlane?.close();
      await controlPlane.stop();
      await dropDatabase(mongoUrl, controlPlaneDatabase);
      await dropDatabase(options.consoleMongoUrl ?? mongoUrl, consoleDatabase);
      if (runDir) rmSync(runDir, { recursive: true, force: true });
    },
  };
}

/** What scripts/start.sh does after the services are up: the local workspace, through the real CLI. */
async function applyLocalWorkspace(address: string, token: string, runDir: string): Promise<void> {
  const template = readFileSync(join(__dirname, '..', '..', '..', '..', 'deploy', 'local', 'workspace.yaml'), 'utf8');
  const file = join(runDir, 'workspace.yaml');
  writeFileSync(file, template.replaceAll('@RUN_DIR@', runDir));
  let output = '';
  const code = await runCli(
    ['--actor', 'local-setup', 'apply', '-f', file],
    { stdout: (text) => (output += text), stderr: (text) => (output += text) },
    { CONTROL_PLANE_ADDRESS: address, CONTROL_PLANE_TOKEN: token },
  );
  if (code !== 0) throw new Error(`manifold apply of the local workspace failed (${code}): ${output}`);
}
