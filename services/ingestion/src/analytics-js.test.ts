import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { InMemoryConfigView } from '@manifold/config-client';
import { decodeEventMessage } from '@manifold/events';
import { KafkaClient, type EventProducer } from '@manifold/kafka';
import { metrics, trace } from '@manifold/telemetry';
import { requireKafka, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { createIngestionApp, type IngestionApp } from './app';
import { ingestionSettings } from './settings';
import { readMessages, SOURCE_ID, testSnapshot, WRITE_KEY } from './test-support/harness';

// Segment's standard snippet (5.2.0), verbatim except for its script host.
const SNIPPET = `!function(){var i="analytics",analytics=window[i]=window[i]||[];if(!analytics.initialize)if(analytics.invoked)window.console&&console.error&&console.error("Segment snippet included twice.");else{analytics.invoked=!0;analytics.methods=["trackSubmit","trackClick","trackLink","trackForm","pageview","identify","reset","group","track","ready","alias","debug","page","screen","once","off","on","addSourceMiddleware","addIntegrationMiddleware","setAnonymousId","addDestinationMiddleware","register"];analytics.factory=function(e){return function(){if(window[i].initialized)return window[i][e].apply(window[i],arguments);var n=Array.prototype.slice.call(arguments);if(["track","screen","alias","group","page","identify"].indexOf(e)>-1){var c=document.querySelector("link[rel='canonical']");n.push({__t:"bpc",c:c&&c.getAttribute("href")||void 0,p:location.pathname,u:location.href,s:location.search,t:document.title,r:document.referrer})}n.unshift(e);analytics.push(n);return analytics}};for(var n=0;n<analytics.methods.length;n++){var key=analytics.methods[n];analytics[key]=analytics.factory(key)}analytics.load=function(key,n){var t=document.createElement("script");t.type="text/javascript";t.async=!0;t.setAttribute("data-global-segment-analytics-key",i);t.src="https://cdn.segment.com/analytics.js/v1/" + key + "/analytics.min.js";var r=document.getElementsByTagName("script")[0];r.parentNode.insertBefore(t,r);analytics._loadOptions=n};analytics._writeKey="YOUR_WRITE_KEY";;analytics.SNIPPET_VERSION="5.2.0";
analytics.load("YOUR_WRITE_KEY");
analytics.page();
}}();`;

const CHROMIUM = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // The test's own self-signed certificate for 127.0.0.1.
  '--ignore-certificate-errors',
];

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/**
 * analytics.js finds its CDN (where settings and chunks come from) only in an https script
 * URL, as production serves it; so the ingestion app is served over TLS here.
 */
describe('analytics.js in headless Chromium', () => {
  const logger = testLogger('ingestion-browser-test');
  const topic = uniqueName('ingestion-browser');
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
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)`);
    }
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
      settings: ingestionSettings({ topic }),
    });
    ingestionServer = createHttpsServer(
      { key: readFileSync(join(certDir, 'key.pem')), cert: readFileSync(join(certDir, 'cert.pem')) },
      app.handler,
    );
    ingestionOrigin = `https://127.0.0.1:${await listen(ingestionServer)}`;

    // The customer's site, on another origin: every call to ingestion is cross-origin.
    const snippet = SNIPPET.replace('https://cdn.segment.com', ingestionOrigin).replaceAll('YOUR_WRITE_KEY', WRITE_KEY);
    const html = `<!doctype html><html><head><title>Shop</title><script>${snippet}</script></head>
      <body><script>analytics.track("Button Clicked", { color: "red" });</script></body></html>`;
    pageServer = createHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
    pageOrigin = `http://127.0.0.1:${await listen(pageServer)}`;
  });

  afterAll(async () => {
    await browser?.close();
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
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    const answered: Array<{ path: string; status: number }> = [];
    page.on('response', (response) => {
      const url = new URL(response.url());
      if (url.origin === ingestionOrigin) answered.push({ path: url.pathname, status: response.status() });
    });

    // ajs_aid in the query string makes analytics.js load its lazily loaded queryString chunk.
    await page.goto(`${pageOrigin}/products?ajs_aid=browser-anon-1`);
    const messages = await readMessages(kafka, topic, 2, 30000);
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
  }, 60000);
});
