// The whole system as processes (each service's main.ts with its environment), on a Kafka broker
// of this test alone (the services use their production topic and group names), FerretDB
// databases of its own and an embedded DuckDB warehouse. After some traffic, each service's
// /metrics must follow the naming scheme and have its runtime, HTTP/gRPC and lag metrics; the
// README's metrics table, the alert rules and the dashboard must name exactly what is there.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { Ga4Emulator, WebhookEmulator } from '@manifold/emulators';
import { connectMongo } from '@manifold/mongo';
import { connectControlPlane, type ControlPlaneClients } from '@manifold/proto';
import {
  freePort,
  parsePrometheusText,
  PrivateKafka,
  requireMongo,
  sampleSum,
  sampleValue,
  testInfrastructure,
  testLogger,
  uniqueName,
  type MetricFamily,
} from '@manifold/testing';
import { metricSelectors, type MetricSelector } from './promql-metric-names';
import { ServiceProcess } from './service-processes';

const root = resolve(__dirname, '../..');
const SERVICES = ['control-plane', 'ingestion', 'translator', 'warehouse-loader', 'console'] as const;
type Service = (typeof SERVICES)[number];
const prefixOf = (service: string) => `manifold_${service.replace(/-/g, '_')}_`;

async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read().catch(() => undefined);
    if (last !== undefined && ok(last)) return last;
    await new Promise((done) => setTimeout(done, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('metrics of the running system', () => {
  const { mongoUrl } = testInfrastructure();
  const runDir = mkdtempSync(join(tmpdir(), 'metrics-stack-'));
  const kafka = PrivateKafka.create();
  const token = randomBytes(18).toString('hex');
  const databases = {
    controlPlane: uniqueName('obs-cp').replace(/[^a-z0-9]/gi, ''),
    translator: uniqueName('obs-tr').replace(/[^a-z0-9]/gi, ''),
    console: uniqueName('obs-console').replace(/[^a-z0-9]/gi, ''),
  };
  const webhook = new WebhookEmulator();
  const ga4 = new Ga4Emulator({ apiSecret: 'ga4-secret', measurementId: 'G-OBS1' });
  const processes = new Map<Service, ServiceProcess>();
  let client: ControlPlaneClients;
  let ingestionUrl: string;
  let consoleUrl: string;
  const scrapes = new Map<Service, string>();

  beforeAll(async () => {
    await requireMongo(mongoUrl);
    const broker = await kafka;
    await broker.start();
    await webhook.start();
    await ga4.start();
    const [grpcPort, ingestionPort, consolePort, ...adminPorts] = await Promise.all(
      Array.from({ length: 8 }, () => freePort()),
    );
    ingestionUrl = `http://127.0.0.1:${ingestionPort}`;
    consoleUrl = `http://127.0.0.1:${consolePort}`;
    const controlPlane = `127.0.0.1:${grpcPort}`;
    const common = {
      KAFKA_BROKERS: broker.brokers.join(','),
      CONTROL_PLANE_ADDRESS: controlPlane,
      CONTROL_PLANE_TOKEN: token,
    };
    const env: Record<Service, Record<string, string>> = {
      'control-plane': {
        ...common,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: String(grpcPort),
        MONGO_URL: mongoUrl,
        MONGO_DATABASE: databases.controlPlane,
        CONTROL_PLANE_SECRET_KEY: randomBytes(32).toString('base64'),
        CONFIG_POLL_INTERVAL_MS: '200',
      },
      ingestion: {
        ...common,
        HOST: '127.0.0.1',
        PORT: String(ingestionPort),
        CONFIG_CACHE_FILE: join(runDir, 'ingestion-config.json'),
        KAFKA_EVENTS_PARTITIONS: '2',
      },
      translator: {
        ...common,
        MONGO_URL: `${mongoUrl.replace(/\/?$/, '/')}${databases.translator}`,
        DESTINATION_TYPES: 'webhook,google-analytics-4',
        RETRY_TIERS: '1s,2s',
        KAFKA_TOPIC_PARTITIONS: '1',
      },
      'warehouse-loader': {
        ...common,
        EMBEDDED_DUCKDB_PATH: join(runDir, 'warehouse.duckdb'),
        EMBEDDED_SYNC_INTERVAL_SECONDS: '1',
      },
      console: {
        ...common,
        HOST: '127.0.0.1',
        PORT: String(consolePort),
        MONGO_URL: mongoUrl,
        CONSOLE_DATABASE: databases.console,
        PUBLIC_URL: consoleUrl,
        INGESTION_URL: ingestionUrl,
        INGESTION_PUBLIC_URL: ingestionUrl,
      },
    };
    SERVICES.forEach((service, i) => {
      const child = new ServiceProcess(
        service,
        adminPorts[i] as number,
        { ...env[service], ADMIN_PORT: String(adminPorts[i]) },
        runDir,
      );
      processes.set(service, child);
    });
    // The control plane first (the others stream their configuration from it), and one at a time:
    // compiling a service's sources takes a core for several seconds, and other tests run beside.
    for (const service of SERVICES) {
      const child = processes.get(service) as ServiceProcess;
      child.start();
      await child.ready();
    }
    client = connectControlPlane({ address: controlPlane, token, actor: 'metrics-test@manifold.test' });
  }, 300_000);

  afterAll(async () => {
    client?.close();
    await Promise.all([...processes.values()].map((p) => p.stop()));
    await (await kafka).destroy();
    await webhook.close();
    await ga4.close();
    rmSync(runDir, { recursive: true, force: true });
    const mongo = await connectMongo({ url: mongoUrl, appName: 'metrics-stack-test', logger: testLogger('mongo') });
    for (const name of Object.values(databases)) await mongo.client.db(name).dropDatabase();
    await mongo.close();
  }, 120_000);

  it('exports every service’s metrics under its prefix: runtime, HTTP, gRPC, consumer lag', async () => {
    await client.workspaces.createWorkspace({ slug: 'obs', name: 'Obs', ownerEmail: 'owner@obs.test' });
    const source = await client.sources.createSource({
      workspace: 'obs',
      slug: 'web',
      name: 'Web',
      environment: 'prod',
      type: 'node',
      category: 'server',
    });
    const writeKey = source.writeKeys[0]?.key as string;
    const repos = await client.sources.createSource({
      workspace: 'obs',
      slug: 'repos',
      name: 'Repos',
      environment: 'prod',
      type: 'webhook',
      category: 'cloud app',
      webhook: { kind: 'github' },
    });
    await client.destinations.createDestination({
      workspace: 'obs',
      name: 'Hook',
      catalogId: 'webhook',
      settings: { url: `${webhook.baseUrl}/events` },
      sources: ['web'],
    });
    await client.destinations.createDestination({
      workspace: 'obs',
      name: 'GA4',
      catalogId: 'google-analytics-4',
      settings: { measurementId: 'G-OBS1', apiSecret: 'ga4-secret', apiBaseUrl: ga4.baseUrl },
      sources: ['web'],
    });

    const post = (path: string, body: unknown) =>
      fetch(`${ingestionUrl}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    // Accepted once ingestion has the source from the config stream. The nested `cart` is
    // flattened for GA4, with a field notice.
    const track = { userId: 'u1', event: 'Cart Shared', properties: { cart: { id: 'c1', total: 3 } } };
    await until(
      'ingestion to accept the write key',
      () => post('/v1/track', track),
      (r) => r.status === 200,
    );
    expect((await post('/v1/identify', { userId: 'u1', traits: { plan: 'pro' } })).status).toBe(200);
    expect((await post('/v1/track', { userId: 'u1' })).status).toBe(400); // no event name
    expect((await post('/v1/track', '{not json')).status).toBe(400);
    expect(
      (await post('/v1/m', { series: [{ type: 'Counter', metric: 'analytics_js.invoke', value: 1 }] })).status,
    ).toBe(200);
    expect((await fetch(`${consoleUrl}/api/openapi.json`)).status).toBe(200);
    // A webhook source's delivery of a kind no translation reads: counted, not stored.
    await until(
      'ingestion to take the webhook source',
      () =>
        fetch(`${ingestionUrl}/v1/webhook/${repos.writeKeys[0]?.key as string}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-github-delivery': 'd-obs' },
          body: JSON.stringify({ zen: 'Keep it logically awesome.' }),
        }),
      (r) => r.status === 200,
    );

    // A source held to a tracking plan: an event breaking it (allowed, and reported) is counted.
    const planned = await client.sources.createSource({
      workspace: 'obs',
      slug: 'planned',
      name: 'Planned',
      environment: 'prod',
      type: 'node',
      category: 'server',
    });
    await client.trackingPlans.saveTrackingPlan({
      workspaceId: 'obs',
      id: '',
      name: 'Obs plan',
      sourceIds: [planned.id],
      rules: {
        events: { 'Signed Up': { type: 'object', properties: { plan: { type: 'string' } } } },
        policies: { violations: 'allow' },
      },
    });
    const plannedKey = planned.writeKeys[0]?.key as string;
    const ingestionProcess = processes.get('ingestion') as ServiceProcess;
    await until(
      'ingestion to count a tracking plan violation',
      async () => {
        await fetch(`${ingestionUrl}/v1/track`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Basic ${Buffer.from(`${plannedKey}:`).toString('base64')}`,
          },
          body: JSON.stringify({ userId: 'u2', event: 'Signed Up', properties: { plan: 5 } }),
        });
        return ingestionProcess.metrics();
      },
      (text) => text.includes('manifold_ingestion_plan_violations_total{'),
    );

    await until(
      'the webhook to get both events',
      async () => webhook.deliveries.length,
      (n) => n >= 2,
    );
    await until(
      'GA4 to get the track',
      async () => ga4.collected.length,
      (n) => n >= 1,
    );
    const loader = processes.get('warehouse-loader') as ServiceProcess;
    await until(
      'a warehouse load',
      () => loader.metrics(),
      (text) => (sampleValue(text, 'manifold_warehouse_loader_loads_total') ?? 0) >= 1,
    );
    const translator = processes.get('translator') as ServiceProcess;
    await until(
      'the translator’s lag metric',
      () => translator.metrics(),
      (text) => text.includes('manifold_translator_kafka_consumer_lag_messages{'),
    );
    // Trace entries are written once per TRACE_FLUSH_INTERVAL, so the counter appears a moment
    // after the deliveries it traces.
    await until(
      'the translator’s first trace write',
      () => translator.metrics(),
      (text) => (sampleValue(text, 'manifold_translator_trace_entries_total', { result: 'written' }) ?? 0) >= 1,
    );

    for (const [service, child] of processes) scrapes.set(service, await child.metrics());

    for (const service of SERVICES) {
      const text = scrapes.get(service) as string;
      const families = parsePrometheusText(text);
      const prefix = prefixOf(service);
      for (const family of families.values()) {
        if (family.name === 'target_info') continue;
        expect(`${service}: ${family.name}`).toMatch(new RegExp(`^${service}: ${prefix}[a-z0-9_]+$`));
        if (family.type === 'counter') expect(family.name).toMatch(/_total$/);
      }
      // A unit the exporter announces is the name's suffix (seconds, bytes).
      for (const [, name, unit] of text.matchAll(/^# UNIT (\S+) (\S+)$/gm)) {
        const suffix = { s: '_seconds', By: '_bytes' }[unit as string];
        if (suffix) expect(name?.replace(/_total$/, '')).toMatch(new RegExp(`${suffix}$`));
      }
      const runtime = [
        ['process_cpu_seconds_total', 'counter'],
        ['process_resident_memory_bytes', 'gauge'],
        ['process_start_time_seconds', 'gauge'],
        ['nodejs_memory_bytes', 'gauge'],
        ['nodejs_eventloop_lag_seconds', 'histogram'],
        ['nodejs_gc_duration_seconds', 'histogram'],
      ];
      for (const [name, type] of runtime)
        expect([service, families.get(`${prefix}${name}`)?.type]).toEqual([service, type]);
    }

    const family = (service: Service, name: string): MetricFamily | undefined =>
      parsePrometheusText(scrapes.get(service) as string).get(name);
    const http = (service: Service) => `${prefixOf(service)}http_server_request_duration_seconds`;
    expect(family('ingestion', http('ingestion'))?.type).toBe('histogram');
    const ingestion = scrapes.get('ingestion') as string;
    // Ingestion runs its default number of workers here, each exporting its own series (label
    // `worker`): the requests are counted over all of them.
    expect(sampleSum(ingestion, `${http('ingestion')}_count`, { route: '/v1/track', status: '200' })).toBeGreaterThan(
      0,
    );
    expect(sampleSum(ingestion, `${http('ingestion')}_count`, { route: '/v1/track', status: '400' })).toBe(2);
    expect(
      sampleValue(scrapes.get('console') as string, `${http('console')}_count`, {
        method: 'GET',
        route: '/api/openapi.json',
        status: '200',
      }),
    ).toBe(1);

    const grpc = 'manifold_control_plane_grpc_server_handling_seconds';
    expect(family('control-plane', grpc)?.type).toBe('histogram');
    const cpText = scrapes.get('control-plane') as string;
    expect(
      sampleValue(cpText, `${grpc}_count`, { grpc_method: 'CreateDestination', grpc_type: 'unary', grpc_code: 'OK' }),
    ).toBe(2);
    // ingestion, translator, loader and console watch the configuration
    expect(
      sampleValue(cpText, 'manifold_control_plane_grpc_server_open_streams', { grpc_method: 'WatchConfig' }),
    ).toBeGreaterThanOrEqual(3);

    // Consumer lag per group and partition: the translator's events group read everything.
    const lag = family('translator', 'manifold_translator_kafka_consumer_lag_messages');
    const webhookEvents = lag?.samples.filter((s) => s.labels['group'] === 'manifold-translator-webhook');
    expect(webhookEvents?.map((s) => [s.labels['topic'], s.labels['partition']]).sort()).toEqual([
      ['manifold.events.v1', '0'],
      ['manifold.events.v1', '1'],
    ]);
    expect(lag?.samples.some((s) => s.labels['group'] === 'manifold-translator-google-analytics-4-retry')).toBe(true);
    const loaderLag = family('warehouse-loader', 'manifold_warehouse_loader_kafka_consumer_lag_messages');
    // Its group reads the events topic (2 partitions) and the warehouse replay topic (3); the
    // Reverse ETL runner's group (manifold-reverse-etl-deliveries) reads the delivery reports.
    const byTopic = (topic: string) => loaderLag?.samples.filter((s) => s.labels['topic'] === topic).length;
    expect(byTopic('manifold.events.v1')).toBe(2);
    expect(byTopic('manifold.warehouse-replay.v1')).toBe(3);
    const others = loaderLag?.samples.filter(
      (s) => s.labels['topic'] !== 'manifold.events.v1' && s.labels['topic'] !== 'manifold.warehouse-replay.v1',
    );
    expect(others?.every((s) => s.labels['group'] === 'manifold-reverse-etl-deliveries')).toBe(true);
  }, 300_000);

  /** Every family any service exports, by name. */
  const exported = (): Set<string> => {
    const names = new Set<string>();
    for (const text of scrapes.values()) for (const name of parsePrometheusText(text).keys()) names.add(name);
    return names;
  };
  /** Every sample name (histograms have _bucket, _sum, _count), for what queries select. */
  const sampleNames = (): Set<string> => {
    const names = new Set<string>();
    for (const text of scrapes.values()) {
      for (const family of parsePrometheusText(text).values()) for (const s of family.samples) names.add(s.name);
    }
    return names;
  };
  const unknown = (selectors: MetricSelector[]): string[] => {
    const names = [...sampleNames()];
    return selectors
      .filter((s) => ('name' in s ? !names.includes(s.name) : !names.some((n) => s.nameMatches.test(n))))
      .map((s) => ('name' in s ? s.name : String(s.nameMatches)));
  };

  it('lists exactly the exported metrics in the README’s metrics table', () => {
    expect(scrapes.size).toBe(SERVICES.length);
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const documented = [...readme.matchAll(/^\| `(manifold_[a-z0-9_<>]+)` \|/gm)].map((m) => m[1] as string);
    const services = SERVICES.map((s) => s.replace(/-/g, '_')).join('|');
    const patterns = documented.map((name) => new RegExp(`^${name.replace('<service>', `(?:${services})`)}$`));
    const names = [...exported()].filter((n) => n !== 'target_info');
    expect(names.filter((n) => !patterns.some((p) => p.test(n)))).toEqual([]);
    expect(documented.filter((_, i) => !names.some((n) => patterns[i]?.test(n)))).toEqual([]);
  });

  it('has alert rules that read only exported metrics', () => {
    const rules = parseYaml(readFileSync(join(root, 'deploy/observability/rules.yml'), 'utf8')) as {
      groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
    };
    const exprs = rules.groups.flatMap((g) => g.rules).map((r) => r.expr);
    expect(exprs.length).toBeGreaterThanOrEqual(7);
    expect(unknown(exprs.flatMap(metricSelectors))).toEqual([]);
  });

  it('has a dashboard whose every panel queries only exported metrics', () => {
    const dashboard = JSON.parse(readFileSync(join(root, 'deploy/observability/dashboard.json'), 'utf8')) as {
      panels: Array<{ type: string; title: string; targets?: Array<{ expr: string }> }>;
    };
    const panels = dashboard.panels.filter((p) => p.type !== 'row');
    expect(panels.length).toBeGreaterThan(20);
    for (const panel of panels) {
      const exprs = (panel.targets ?? []).map((t) => t.expr.replaceAll('$__rate_interval', '5m'));
      expect([panel.title, exprs.length > 0]).toEqual([panel.title, true]);
      expect([panel.title, unknown(exprs.flatMap(metricSelectors))]).toEqual([panel.title, []]);
    }
    // what the runtime panels select by pattern is there for every service
    for (const service of SERVICES) {
      expect(exported()).toContain(`${prefixOf(service)}process_cpu_seconds_total`);
    }
  });
});
