import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { InMemoryConfigView } from '@manifold/config-client';
import { decodeEventMessage } from '@manifold/events';
import { KafkaClient, type EventProducer } from '@manifold/kafka';
import { metrics, trace } from '@manifold/telemetry';
import {
  launchChromium,
  requireKafka,
  segmentSnippet,
  testInfrastructure,
  testLogger,
  uniqueName,
} from '@manifold/testing';
import { createIngestionApp, type IngestionApp } from './app';
import { ingestionSettings } from './settings';
import { readTopic, SOURCE_ID, testSnapshot, WRITE_KEY } from './test-support/harness';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/**
 * The snippet with only its host changed, over plain http (as `pnpm start` serves it) and over
 * TLS (as production does): analytics.js must take its settings and chunks from the host that
 * served it, never from Segment's CDN. The customer's page is served with the same scheme.
 */
describe.each(['http', 'https'] as const)('analytics.js in headless Chromium over %s', (scheme) => {
  const logger = testLogger('ingestion-browser-test');
  const topic = uniqueName(`ingestion-browser-${scheme}`);
  let certDir: string;
  let kafka: KafkaClient;
  let producer: EventProducer;
  let app: IngestionApp;
  let ingestionServer: Server;
  let pageServer: Server;
  let browser: Browser | undefined;
  let ingestionOrigin: string;
  let pageOrigin: string;

  beforeAll(async () => {
    await requireKafka(testInfrastructure().kafkaBrokers);
    certDir = mkdtempSync(join(tmpdir(), 'ingestion-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(certDir, 'key.pem'),
        '-out',
        join(certDir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );

    kafka = new KafkaClient({ brokers: testInfrastructure().kafkaBrokers, clientId: topic, logger });
    await kafka.ensureTopics([{ topic, partitions: 1 }]);
    producer = await kafka.producer();
    app = createIngestionApp({
      configView: new InMemoryConfigView(testSnapshot()),
      producer,
      logger,
      meter: metrics.getMeter('ingestion-browser-test'),
      tracer: trace.getTracer('ingestion-browser-test'),
      settings: ingestionSettings({ topic, planReports: { topic: `${topic}.plan-reports` } }),
    });
    const tls = { key: readFileSync(join(certDir, 'key.pem')), cert: readFileSync(join(certDir, 'cert.pem')) };
    const serve = (handler: RequestListener): Server =>
      scheme === 'https' ? createHttpsServer(tls, handler) : createHttpServer(handler);
    ingestionServer = serve(app.handler);
    ingestionOrigin = `${scheme}://127.0.0.1:${await listen(ingestionServer)}`;

    // The customer's site, on another origin: every call to ingestion is cross-origin.
    const snippet = segmentSnippet(ingestionOrigin, WRITE_KEY);
    const html = `<!doctype html><html><head><title>Shop</title><script>${snippet}</script></head>
      <body><script>analytics.track("Button Clicked", { color: "red" });</script></body></html>`;
    pageServer = serve((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
    pageOrigin = `${scheme}://127.0.0.1:${await listen(pageServer)}`;
  });

  afterAll(async () => {
    await browser?.close();
    pageServer?.closeAllConnections();
    await new Promise((resolve) => pageServer?.close(resolve));
    ingestionServer?.closeAllConnections();
    await new Promise((resolve) => ingestionServer?.close(resolve));
    await app?.drain();
    await producer?.disconnect();
    await kafka?.deleteTopics([topic]).catch(() => undefined);
    await kafka?.disconnect();
    rmSync(certDir, { recursive: true, force: true });
  });

  it('loads through the standard snippet and sends a page and a track call that reach Kafka', async () => {
    browser = await launchChromium({ ignoreCertificateErrors: true });
    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    // Nothing may leave for another host (Segment's CDN above all); such requests are recorded and refused.
    const elsewhere: string[] = [];
    await page.route(
      (url) => url.origin !== ingestionOrigin && url.origin !== pageOrigin,
      (route) => {
        elsewhere.push(route.request().url());
        return route.abort();
      },
    );
    const answered: Array<{ path: string; status: number }> = [];
    page.on('response', (response) => {
      const url = new URL(response.url());
      if (url.origin === ingestionOrigin) answered.push({ path: url.pathname, status: response.status() });
    });

    // ajs_aid in the query string makes analytics.js load its lazily loaded queryString chunk.
    await page.goto(`${pageOrigin}/products?ajs_aid=browser-anon-1`);
    const messages = await readTopic(kafka, topic, 2, 30000);
    const events = messages.map((m) => decodeEventMessage(m));
    expect(events.map((e) => e.event.type).sort()).toEqual(['page', 'track']);

    for (const { event, metadata } of events) {
      expect(metadata.sourceId).toBe(SOURCE_ID);
      expect(event.anonymousId).toBe('browser-anon-1');
      expect(event).not.toHaveProperty('writeKey');
      expect(event.context).toMatchObject({
        library: { name: 'analytics.js' },
        page: { url: `${pageOrigin}/products?ajs_aid=browser-anon-1`, title: 'Shop' },
        ip: '127.0.0.1',
      });
      expect(String(event.context.userAgent)).toContain('Chrome');
      expect(typeof event.originalTimestamp).toBe('string');
    }
    expect(events.find((e) => e.event.type === 'track')?.event).toMatchObject({
      event: 'Button Clicked',
      properties: { color: 'red' },
    });

    // The events are in Kafka before the browser has read the answers to their requests.
    const answeredBoth = () => ['/v1/p', '/v1/t'].every((p) => answered.some((a) => a.path === p));
    for (const deadline = Date.now() + 10000; !answeredBoth() && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const paths = answered.map((a) => `${a.status} ${a.path}`);
    expect(paths).toContain(`200 /analytics.js/v1/${WRITE_KEY}/analytics.min.js`);
    expect(paths).toContain(`200 /v1/projects/${WRITE_KEY}/settings`);
    expect(paths.some((p) => /^200 \/analytics-next\/bundles\/queryString\.bundle\.[0-9a-f]+\.js$/.test(p))).toBe(true);
    expect(paths).toEqual(expect.arrayContaining(['200 /v1/p', '200 /v1/t']));
    expect(consoleErrors).toEqual([]);
    expect(elsewhere).toEqual([]);
  }, 60000);
});
