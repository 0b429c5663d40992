// A new user's first event: Segment's snippet with only its host changed, on a page served over
// plain http, through ingestion and Kafka into a warehouse table.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import type { Browser } from 'playwright-core';
import { InMemoryConfigView, type SourceConfig, type WarehouseConfig } from '@manifold/config-client';
import { ingestionSettings, startIngestion, type RunningIngestion } from '@manifold/ingestion';
import { KafkaClient } from '@manifold/kafka';
import { metrics, trace } from '@manifold/telemetry';
import {
  launchChromium,
  requireKafka,
  requirePostgres,
  segmentSnippet,
  testInfrastructure,
  testLogger,
  uniqueName,
} from '@manifold/testing';
import { PostgresEngine, schemaNameForSource } from '@manifold/warehouse';
import { startLoaderApp, type LoaderApp } from '@manifold/warehouse-loader';

const logger = testLogger('analytics-snippet-e2e');
const { kafkaBrokers, warehousePostgresUrl } = testInfrastructure();

describe('the standard analytics.js snippet over http', () => {
  const slug = uniqueName('site').replace(/-/g, '_');
  const writeKey = uniqueName('wk');
  const source: SourceConfig = {
    id: uniqueName('source'),
    workspaceId: 'ws-e2e',
    workspaceSlug: 'e2e',
    slug,
    name: 'Website',
    enabled: true,
    writeKeys: [writeKey],
    type: 'javascript',
  };
  const warehouse: WarehouseConfig = {
    id: uniqueName('wh-postgres'),
    workspaceId: 'ws-e2e',
    name: 'Postgres',
    enabled: true,
    kind: 'postgres',
    settings: { url: warehousePostgresUrl },
    syncIntervalSeconds: 1,
    sourceIds: [source.id],
  };
  const eventsTopic = uniqueName('e2e-events');
  const loadsTopic = uniqueName('e2e-loads');
  let kafka: KafkaClient;
  let ingestion: RunningIngestion;
  let loader: LoaderApp;
  let reader: PostgresEngine;
  let pageServer: Server;
  let browser: Browser | undefined;

  beforeAll(async () => {
    await requireKafka(kafkaBrokers);
    await requirePostgres(warehousePostgresUrl);
    const configView = new InMemoryConfigView({
      version: 1,
      sources: [source],
      destinations: [],
      warehouses: [warehouse],
    });
    kafka = new KafkaClient({ brokers: kafkaBrokers, clientId: uniqueName('e2e-ingestion'), logger });
    ingestion = await startIngestion({
      kafka,
      configView,
      logger,
      meter: metrics.getMeter('e2e-ingestion'),
      tracer: trace.getTracer('e2e-ingestion'),
      settings: ingestionSettings({ topic: eventsTopic, planReports: { topic: `${eventsTopic}.plan-reports` } }),
      port: 0,
      host: '127.0.0.1',
      partitions: 1,
      replicationFactor: 1,
      drainTimeoutMs: 2000,
    });
    loader = await startLoaderApp({ config: configView, kafkaBrokers, logger, eventsTopic, loadsTopic });
    reader = new PostgresEngine({ connection: { url: warehousePostgresUrl }, logger });

    const html = `<!doctype html><html><head><title>Welcome</title>
      <script>${segmentSnippet(ingestion.url, writeKey)}</script></head>
      <body><script>analytics.track("Signed Up", { plan: "pro" });</script></body></html>`;
    pageServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await browser?.close();
    pageServer?.closeAllConnections();
    await new Promise((resolve) => pageServer?.close(resolve));
    await loader?.stop();
    await ingestion?.close();
    await reader?.close();
    const admin = new Client({ connectionString: warehousePostgresUrl });
    await admin.connect();
    await admin.query(`drop schema if exists "${schemaNameForSource(slug)}" cascade`);
    await admin.end();
    await kafka?.deleteTopics([eventsTopic, loadsTopic]).catch(() => undefined);
    await kafka?.disconnect();
  });

  it('sends the page and track calls into the warehouse', async () => {
    browser = await launchChromium();
    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    const { port } = pageServer.address() as AddressInfo;
    await page.goto(`http://127.0.0.1:${port}/welcome`);

    const schema = schemaNameForSource(slug);
    const rows = async (table: string) =>
      (await reader.catalog(schema))?.has(table) ? reader.readTable(schema, table) : [];
    for (const deadline = Date.now() + 45000; ;) {
      if ((await rows('tracks')).length > 0 && (await rows('pages')).length > 0) break;
      if (Date.now() > deadline) throw new Error(`no rows in ${schema}.tracks and ${schema}.pages after 45 s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(await rows('tracks')).toEqual([expect.objectContaining({ event: 'signed_up', event_text: 'Signed Up' })]);
    expect(await rows('signed_up')).toEqual([expect.objectContaining({ plan: 'pro' })]);
    expect(await rows('pages')).toEqual([expect.objectContaining({ path: '/welcome', title: 'Welcome' })]);
    expect(consoleErrors).toEqual([]);
  }, 90000);
});
